using System.Buffers.Text;
using System.Text.Json;
using SampleBackend.Zumo;

namespace SampleBackend.Diagnostics;

/// <summary>
/// <c>GET /api/whoami</c>: echoes the headers and the credential the backend received, with the
/// credential's JWT claims decoded (not verified) for demos and tests.
/// </summary>
public static class WhoAmIEndpoint
{
    public static void MapWhoAmI(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/whoami", (HttpRequest request) => Results.Json(new
        {
            method = request.Method,
            path = request.Path.Value + request.QueryString.Value,
            headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.OrdinalIgnoreCase),
            credential = Credential(request),
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

        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var scheme = header == "Authorization" && space > 0 ? value[..space] : null;
        var token = scheme is null ? value : value[(space + 1)..];
        return new { header, scheme, value, claims = DecodeClaims(token) };
    }

    private static JsonElement? DecodeClaims(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
