using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace WamsGateway.Assertions;

/// <summary>
/// One signing key of the gateway's key set: which period it signs for, its <c>kid</c> (the RFC 7638
/// thumbprint of its public key), its public JWK, and the credentials that sign with it. The private
/// key leaves this object only as <see cref="Material"/>, for the key store.
/// </summary>
internal sealed class AssertionKey
{
    private AssertionKey(long generation, string algorithm, AsymmetricAlgorithm key, byte[] material)
    {
        Generation = generation;
        Algorithm = algorithm;
        Material = material;
        (PublicJwk, KeyId) = algorithm == "ES256" ? EcJwk((ECDsa)key) : RsaJwk((RSA)key);
        PublicJwk["kid"] = KeyId;
        PublicJwk["use"] = "sig";
        PublicJwk["alg"] = algorithm;
        SecurityKey securityKey = key is ECDsa ec ? new ECDsaSecurityKey(ec) : new RsaSecurityKey((RSA)key);
        securityKey.KeyId = KeyId;
        Credentials = new SigningCredentials(securityKey, algorithm switch
        {
            "ES256" => SecurityAlgorithms.EcdsaSha256,
            "PS256" => SecurityAlgorithms.RsaSsaPssSha256,
            _ => SecurityAlgorithms.RsaSha256,
        });
    }

    /// <summary>The key period it signs for (<see cref="AssertionKeySchedule"/>).</summary>
    public long Generation { get; }

    public string Algorithm { get; }

    public string KeyId { get; }

    /// <summary>Public parameters only: <c>kty</c>, <c>crv</c>/<c>x</c>/<c>y</c> or <c>n</c>/<c>e</c>, <c>kid</c>, <c>use</c>, <c>alg</c>.</summary>
    public JsonObject PublicJwk { get; }

    public SigningCredentials Credentials { get; }

    /// <summary>What the store keeps: the algorithm and the PKCS#8 private key, as JSON. Secret.</summary>
    public byte[] Material { get; }

    /// <summary>A new key: P-256 for ES256, RSA 2048 for RS256 and PS256.</summary>
    public static AssertionKey Create(string algorithm, long generation)
    {
        AsymmetricAlgorithm key = algorithm == "ES256" ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            var material = JsonSerializer.SerializeToUtf8Bytes(new StoredKey(algorithm, pkcs8));
            return new AssertionKey(generation, algorithm, key, material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>A key the store handed back; null when it is not a key of <paramref name="algorithm"/> (never trusted blindly).</summary>
    public static AssertionKey? FromMaterial(byte[] material, string algorithm, long generation)
    {
        StoredKey? stored;
        try
        {
            stored = JsonSerializer.Deserialize<StoredKey>(material);
        }
        catch (JsonException)
        {
            return null;
        }

        if (stored?.Alg != algorithm || stored.Pkcs8 is not { Length: > 0 } pkcs8)
        {
            return null;
        }

        try
        {
            AsymmetricAlgorithm key;
            if (algorithm == "ES256")
            {
                var ec = ECDsa.Create();
                ec.ImportPkcs8PrivateKey(pkcs8, out _);
                if (ec.KeySize != 256)
                {
                    return null;
                }

                key = ec;
            }
            else
            {
                var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                if (rsa.KeySize < 2048)
                {
                    return null;
                }

                key = rsa;
            }

            return new AssertionKey(generation, algorithm, key, material);
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private static (JsonObject Jwk, string Thumbprint) EcJwk(ECDsa key)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        var (x, y) = (Base64Url.EncodeToString(p.Q.X), Base64Url.EncodeToString(p.Q.Y));
        return (new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = x, ["y"] = y },
            Thumbprint($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}"));
    }

    private static (JsonObject Jwk, string Thumbprint) RsaJwk(RSA key)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        var (n, e) = (Base64Url.EncodeToString(p.Modulus), Base64Url.EncodeToString(p.Exponent));
        return (new JsonObject { ["kty"] = "RSA", ["n"] = n, ["e"] = e }, Thumbprint($"{{\"e\":\"{e}\",\"kty\":\"RSA\",\"n\":\"{n}\"}}"));
    }

    /// <summary>RFC 7638: SHA-256 of the required members in lexicographic order, base64url.</summary>
    private static string Thumbprint(string canonicalJwk) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJwk)));

    private sealed record StoredKey(string Alg, byte[] Pkcs8);
}
