using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace WamsGateway.Tests.Support;

/// <summary>
/// Builds compact JWS tokens by hand so tests can make every bad token there is: wrong key, wrong
/// algorithm, no signature, tampered payload, and so on.
/// </summary>
public sealed class TokenFactory
{
    private readonly string _issuer;
    private readonly string _audience;
    private readonly RsaSecurityKey _key;

    public TokenFactory(string issuer, string audience, RsaSecurityKey key)
    {
        _issuer = issuer;
        _audience = audience;
        _key = key;
    }

    /// <summary>The signing key's id, for tests that write the header themselves.</summary>
    public string KeyId => _key.KeyId;

    /// <summary>The claims a good Auth0 access token has; tests change what they need.</summary>
    public Dictionary<string, object?> Claims(string sub = "auth0|alice", string azp = "client-a")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object?>
        {
            ["iss"] = _issuer,
            ["sub"] = sub,
            ["aud"] = new[] { _audience, _issuer + "userinfo" },
            ["azp"] = azp,
            ["scope"] = "openid read:todo",
            ["email"] = "alice@example.com",
            ["email_verified"] = true,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 3600,
        };
    }

    public string Valid(string sub = "auth0|alice", string azp = "client-a") => Sign(Claims(sub, azp));

    public string Sign(IDictionary<string, object?> claims, RsaSecurityKey? key = null, string alg = "RS256", string? kid = null, IDictionary<string, object?>? header = null)
    {
        key ??= _key;
        var fields = new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = kid ?? key.KeyId };
        foreach (var (name, value) in header ?? new Dictionary<string, object?>())
        {
            fields[name] = value;
        }

        var hash = alg switch
        {
            "RS256" => HashAlgorithmName.SHA256,
            "RS384" => HashAlgorithmName.SHA384,
            "RS512" => HashAlgorithmName.SHA512,
            _ => throw new ArgumentException("Use SignHmac or Unsigned for " + alg, nameof(alg)),
        };
        return Compose(fields, claims, input => key.Rsa.SignData(input, hash, RSASignaturePadding.Pkcs1));
    }

    /// <summary>
    /// Signs a payload given as raw JSON text (RS256, the active key), so a test can send what no
    /// serializer writes: duplicate members, lone surrogate escapes, numbers beyond any CLR type.
    /// </summary>
    /// <param name="payloadJson">The payload, as it is signed.</param>
    /// <param name="headerJson">The JOSE header as raw JSON text; by default RS256 with the active key's kid.</param>
    public string SignRaw(string payloadJson, string? headerJson = null)
    {
        var header = headerJson is null
            ? Encode(new Dictionary<string, object?> { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = _key.KeyId })
            : Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(headerJson));
        var input = header + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payloadJson));
        return input + "." + Base64UrlEncoder.Encode(_key.Rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public string SignHmac(IDictionary<string, object?> claims, byte[] secret, string? kid = null) =>
        Compose(new Dictionary<string, object?> { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = kid ?? _key.KeyId }, claims, input => HMACSHA256.HashData(secret, input));

    public static string WithoutSignature(IDictionary<string, object?> claims) =>
        Compose(new Dictionary<string, object?> { ["alg"] = "none", ["typ"] = "JWT" }, claims, _ => []);

    /// <summary>The public key as PEM text: what an attacker feeds an HS256 verifier that takes the key as a secret.</summary>
    public byte[] PublicKeyPem() => Encoding.ASCII.GetBytes(_key.Rsa.ExportSubjectPublicKeyInfoPem());

    /// <summary>Keeps the header and signature, swaps the payload.</summary>
    public static string Tamper(string token, IDictionary<string, object?> claims)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{Encode(claims)}.{parts[2]}";
    }

    private static string Compose(IDictionary<string, object?> header, IDictionary<string, object?> claims, Func<byte[], byte[]> sign)
    {
        var input = Encode(header) + "." + Encode(claims);
        return input + "." + Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(input)));
    }

    private static string Encode(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));
}
