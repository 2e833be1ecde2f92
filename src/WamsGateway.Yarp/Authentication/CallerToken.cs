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
    private CallerToken(string? token, string? header, string? invalidRequestHeader, bool readable, string? issuer, GatewayAuthority? authority,
        string? refusal = null, string? actor = null, bool emailVerified = false, ValidatedCaller? validated = null)
    {
        Validated = validated;
        EmailVerified = emailVerified;
        Token = token;
        Header = header;
        InvalidRequestHeader = invalidRequestHeader;
        Readable = readable;
        Issuer = issuer;
        Authority = authority;
        Refusal = refusal;
        Actor = actor;
    }

    /// <summary>
    /// The token as its authority's validated-token cache holds it, when it does (and its keys have not changed since):
    /// its facts were read from the cache, not from the payload, and the gateway's scheme may authenticate it in one step.
    /// Null for a token not validated before (or no longer kept).
    /// </summary>
    public ValidatedCaller? Validated { get; }

    /// <summary>The payload's <c>email</c> is a string and its <c>email_verified</c> the JSON value <c>true</c> (<see cref="TokenPayload.EmailVerified"/>).</summary>
    public bool EmailVerified { get; }

    /// <summary>The token, or null when the request carries none (or breaks the one-method rule).</summary>
    public string? Token { get; }

    /// <summary>
    /// The request carries no token anywhere the gateway reads one, and breaks no rule doing so: JwtBearer, with the
    /// gateway's events, has no result for it, and the gateway's scheme answers that itself.
    /// </summary>
    public bool CarriesNoToken => Token is null && InvalidRequestHeader is null;

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
    /// Why the payload is refused before any key is fetched, as a failure reason: <c>duplicate_claim</c> (a member named
    /// twice: which one counts would depend on the parser), <c>invalid_date</c> (<c>exp</c>, <c>nbf</c> or <c>iat</c> not a
    /// JSON number) or <c>invalid_subject</c> (<c>sub</c> missing, empty or not a string). Null when none.
    /// </summary>
    public string? Refusal { get; }

    /// <summary>
    /// The current actor of a delegated token (RFC 8693 <c>act</c>): its <c>sub</c>, else its <c>client_id</c>, else empty.
    /// Null when the token has no <c>act</c>. Read from the payload before validation; trust it only once the token validated.
    /// </summary>
    public string? Actor { get; }

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
        // A token validated before: its facts as read then, without decoding or parsing it again.
        if (authorities.FindValidated(token) is ({ } known, { Payload: { Readable: true, Refusal: null } } validated))
        {
            var facts = validated.Payload;
            return new CallerToken(token, header, null, readable: true, facts.Issuer, known, null, facts.Actor, facts.EmailVerified, validated);
        }

        var payload = TokenPayload.Read(token);
        var issuer = payload.Issuer;
        return new CallerToken(token, header, null, payload.Readable, issuer, issuer is null ? null : authorities.ForIssuer(issuer), payload.Refusal, payload.Actor, payload.EmailVerified);
    }

    /// <summary>The issuer a compact JWS's payload names (see <see cref="TokenPayload.Read(string)"/>); false when the token is unreadable.</summary>
    internal static bool TryReadIssuer(string token, out string? issuer)
    {
        var payload = TokenPayload.Read(token);
        issuer = payload.Issuer;
        return payload.Readable;
    }
}
