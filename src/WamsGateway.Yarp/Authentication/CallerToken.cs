using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using WamsGateway.Configuration;

namespace WamsGateway.Authentication;

/// <summary>
/// What a request carries as its caller's token, read once per request before any validation: where it came from,
/// whether the request breaks RFC 6750's one-method rule, the issuer the token names (unverified: it only chooses
/// which authority checks it), and that authority.
/// </summary>
internal sealed class CallerToken
{
    private CallerToken(string? token, string? header, string? invalidRequestHeader, bool readable, string? issuer, GatewayAuthority? authority)
    {
        Token = token;
        Header = header;
        InvalidRequestHeader = invalidRequestHeader;
        Readable = readable;
        Issuer = issuer;
        Authority = authority;
    }

    /// <summary>The token, or null when the request carries none (or breaks the one-method rule).</summary>
    public string? Token { get; }

    /// <summary>The API's <c>TokenHeader</c> when the token came from there; null for <c>Authorization</c>.</summary>
    public string? Header { get; }

    /// <summary>Set when the request carries the token both ways, twice, or empty in the API's <c>TokenHeader</c>: that header's name.</summary>
    public string? InvalidRequestHeader { get; }

    /// <summary>False when the token is not a JWS whose payload is a JSON object.</summary>
    public bool Readable { get; }

    /// <summary>The token's <c>iss</c>, unverified; null when it has none (or not exactly one, as a string).</summary>
    public string? Issuer { get; }

    /// <summary>The authority <see cref="Issuer"/> names; null when no configured authority does.</summary>
    public GatewayAuthority? Authority { get; }

    /// <summary>
    /// The request's caller token, read on first use and kept with the request. On a route whose API names a
    /// <c>TokenHeader</c>, a request without <c>Authorization</c> may carry it there; on every other route that
    /// header is never read.
    /// </summary>
    public static CallerToken For(HttpContext context, ApiCatalog catalog, GatewayAuthorities authorities)
    {
        if (context.Features.Get<CallerToken>() is { } known)
        {
            return known;
        }

        var caller = Read(context, catalog, authorities);
        context.Features.Set(caller);
        return caller;
    }

    private static CallerToken Read(HttpContext context, ApiCatalog catalog, GatewayAuthorities authorities)
    {
        var headers = context.Request.Headers;
        if (catalog.ForRequest(context).Api?.Options.TokenHeader is { } header && headers.TryGetValue(header, out var values))
        {
            // Two copies arrive as two values or as one joined by a comma (a JWT has none).
            if (headers.ContainsKey(HeaderNames.Authorization) || values.Count != 1 || string.IsNullOrWhiteSpace(values[0])
                || values[0]!.Contains(',', StringComparison.Ordinal))
            {
                return new CallerToken(null, null, header, readable: false, null, null);
            }

            return Of(values[0]!.Trim(), header, authorities);
        }

        return BearerToken.From(context.Request) is { } bearer
            ? Of(bearer, null, authorities)
            : new CallerToken(null, null, null, readable: false, null, null);
    }

    private static CallerToken Of(string token, string? header, GatewayAuthorities authorities)
    {
        var readable = TryReadIssuer(token, out var issuer);
        return new CallerToken(token, header, null, readable, issuer, issuer is null ? null : authorities.ForIssuer(issuer));
    }

    /// <summary>
    /// Reads <c>iss</c> from a compact JWS's payload without validating anything. False when the token is not three
    /// base64url parts with a JSON object in the middle; <paramref name="issuer"/> is null when that object has no
    /// <c>iss</c>, a non-string one, or more than one (which one counts would depend on the parser).
    /// </summary>
    internal static bool TryReadIssuer(string token, out string? issuer)
    {
        issuer = null;
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (second < 0 || token.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        var payload = token.AsSpan(first + 1, second - first - 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(payload.Length));
        try
        {
            if (Base64Url.DecodeFromChars(payload, buffer, out _, out var written) != OperationStatus.Done)
            {
                return false;
            }

            return TryReadIssuer(buffer.AsSpan(0, written), out issuer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool TryReadIssuer(ReadOnlySpan<byte> json, out string? issuer)
    {
        issuer = null;
        var count = 0;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isIssuer = reader.ValueTextEquals("iss"u8);
                if (!reader.Read())
                {
                    return false;
                }

                if (isIssuer)
                {
                    count++;
                    issuer = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that escapes a lone surrogate (no text it could name): not a token to validate.
            return false;
        }

        if (count != 1)
        {
            issuer = null;
        }

        return true;
    }
}
