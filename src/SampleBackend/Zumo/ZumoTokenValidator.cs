using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SampleBackend.Zumo;

/// <summary>
/// Validates <c>X-ZUMO-AUTH</c> the way the Azure Mobile Services runtime did (docs/protocols.md, "The WAMS (ZUMO) token"):
/// HS256 keyed with the raw SHA-256 of master key + "JWTSig"; <c>typ</c>, if present, is JWT;
/// <c>exp</c> required and not past (it may be fractional); <c>iat</c>/<c>nbf</c> with five minutes of
/// leeway. Like the runtime it does not look at <c>iss</c> or <c>aud</c>.
/// </summary>
public sealed class ZumoTokenValidator
{
    private static readonly TimeSpan Leeway = TimeSpan.FromMinutes(5);

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public ZumoTokenValidator(IOptions<SampleBackendOptions> options, TimeProvider time)
    {
        _key = SigningKey(options.Value.MasterKey ?? throw new InvalidOperationException("SampleBackend:MasterKey is not set."));
        _time = time;
    }

    public static byte[] SigningKey(string masterKey) => SHA256.HashData(Encoding.UTF8.GetBytes(masterKey + "JWTSig"));

    public ZumoValidationResult Validate(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return ZumoValidationResult.Fail("missing_token", "No X-ZUMO-AUTH header.");
        }

        var parts = token.Trim().Split('.');
        if (parts.Length != 3)
        {
            return ZumoValidationResult.Fail("malformed", "The token is not a JWS compact serialization.");
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            if (header.RootElement.TryGetProperty("typ", out var typ) && typ.GetString() is not "JWT")
            {
                return ZumoValidationResult.Fail("invalid_type", "typ must be JWT.");
            }

            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() is not "HS256")
            {
                return ZumoValidationResult.Fail("invalid_algorithm", "alg must be HS256.");
            }

            var expected = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
            if (!CryptographicOperations.FixedTimeEquals(expected, Base64Url.DecodeFromChars(parts[2])))
            {
                return ZumoValidationResult.Fail("invalid_signature", "The signature does not match the master key.");
            }

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return ValidateClaims(payload.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return ZumoValidationResult.Fail("malformed", "The token cannot be parsed.");
        }
    }

    private ZumoValidationResult ValidateClaims(JsonElement claims)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number)
        {
            return ZumoValidationResult.Fail("missing_exp", "The token has no exp.");
        }

        if (exp.GetDouble() <= now)
        {
            return ZumoValidationResult.Fail("expired", "The token has expired.");
        }

        foreach (var name in new[] { "iat", "nbf" })
        {
            if (claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.GetDouble() > now + Leeway.TotalSeconds)
            {
                return ZumoValidationResult.Fail("not_yet_valid", $"{name} is in the future.");
            }
        }

        if (!claims.TryGetProperty("uid", out var uid) || uid.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(uid.GetString()))
        {
            return ZumoValidationResult.Fail("missing_uid", "The token has no uid.");
        }

        return ZumoValidationResult.Success(new ZumoUser(uid.GetString()!, claims.Clone()));
    }
}

/// <summary>The signed-in WAMS user: <c>userId</c> is the token's <c>uid</c>.</summary>
public sealed record ZumoUser(string UserId, JsonElement Claims);

public sealed record ZumoValidationResult(ZumoUser? User, string? Error, string? Description)
{
    public static ZumoValidationResult Success(ZumoUser user) => new(user, null, null);

    public static ZumoValidationResult Fail(string error, string description) => new(null, error, description);
}
