using System.Text;
using System.Text.Json;

namespace LocalAuthority.Tokens;

/// <summary>A token endpoint request, read from a form or a JSON body (Auth0 takes both), with client credentials from Basic or the body.</summary>
public sealed class TokenRequest
{
    private readonly Dictionary<string, string> _values;

    private TokenRequest(Dictionary<string, string> values, string? clientId, string? clientSecret)
    {
        _values = values;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    public string? ClientId { get; }

    public string? ClientSecret { get; }

    public string? this[string name] => _values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public static async Task<TokenRequest?> ReadAsync(HttpRequest request)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (request.HasFormContentType)
            {
                foreach (var (key, value) in await request.ReadFormAsync(request.HttpContext.RequestAborted))
                {
                    values[key] = value.ToString();
                }
            }
            else if (request.HasJsonContentType())
            {
                using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }
            }
            else
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or InvalidOperationException)
        {
            return null;
        }

        var (clientId, clientSecret) = ReadBasic(request);
        clientId ??= values.GetValueOrDefault("client_id");
        clientSecret ??= values.GetValueOrDefault("client_secret");
        return new TokenRequest(values, clientId, clientSecret);
    }

    private static (string? Id, string? Secret) ReadBasic(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? (null, null) : (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }
}
