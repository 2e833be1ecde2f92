using System.Buffers.Text;
using System.Text.Json;
using SampleBackend.Zumo;

namespace SampleBackend.Diagnostics;

/// <summary>
/// <c>GET /api/whoami</c>: the headers the backend received, with every credential replaced by its
/// fingerprint, and the credential it would act on (<c>X-ZUMO-AUTH</c>, else <c>Authorization</c>)
/// as its header, scheme, fingerprint and decoded (not verified) JWT header and claims. Never the
/// credential itself: whoever reads this answer must not be able to replay what the caller sent. With
/// <c>SampleBackend:GatewayAuthority</c>, <c>assertion</c> holds the verified claims of the gateway's assertion.
/// </summary>
public static class WhoAmIEndpoint
{
    public static void MapWhoAmI(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/whoami", (HttpRequest request) => Results.Json(new
        {
            method = request.Method,
            path = request.Path.Value + request.QueryString.Value,
            headers = request.Headers.ToDictionary(
                h => h.Key,
                h => h.Value.Select(v => HeaderRedaction.Echo(h.Key, v ?? string.Empty)).ToArray(),
                StringComparer.OrdinalIgnoreCase),
            credential = Credential(request),
            assertion = request.HttpContext.Features.Get<GatewayAssertion.VerifiedAssertion>() is { } verified
                ? verified.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.Count() == 1 ? (object)g.First().Value : g.Select(c => c.Value).ToArray())
                : null,
        }));

    private static object? Credential(HttpRequest request)
    {
        string? header = null;
        string? value = null;
        if (request.Headers.TryGetValue(ZumoAuthFilter.HeaderName, out var zumo))
        {
            (header, value) = (ZumoAuthFilter.HeaderName, zumo.ToString());
        }
        else if (request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
        {
            (header, value) = ("Authorization", authorization);
        }

        if (header is null || value is null)
        {
            return null;
        }

        var (scheme, token) = HeaderRedaction.Split(header, value);
        return new
        {
            header,
            scheme,
            fingerprint = CredentialFingerprint.Of(token),
            joseHeader = DecodePart(token, 0),
            claims = DecodePart(token, 1),
        };
    }

    private static JsonElement? DecodePart(string token, int index)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[index]));
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
