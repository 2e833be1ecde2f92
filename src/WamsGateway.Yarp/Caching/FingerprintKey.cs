using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using WamsGateway.Caching.KeyRing;
using WamsGateway.Configuration;

namespace WamsGateway.Caching;

/// <summary>
/// The key an API's fingerprint (part of every cache key in Redis) is computed with. The fingerprint
/// hashes every setting of the API's kind, secrets included, so a changed secret never reuses a
/// credential; keyed with something Redis never sees, a key name read from Redis cannot confirm a
/// guessed <c>MasterKey</c> or <c>ClientSecret</c>. The same on every replica: derived from the key that
/// protects the key ring (<c>KeyRingKey</c>, or <c>KeyRingCertificatePath</c>'s RSA key).
/// </summary>
internal sealed class FingerprintKey
{
    private static readonly byte[] Purpose = Encoding.UTF8.GetBytes("WamsGateway API fingerprint v1");

    private FingerprintKey(byte[]? key)
    {
        Key = key;
    }

    /// <summary>Null without Redis (fingerprints never leave the process), or with an unprotected key ring (whose reader can decrypt everything anyway).</summary>
    public byte[]? Key { get; }

    public static FingerprintKey From(RedisSettings redis)
    {
        if (redis.Configuration is null)
        {
            return new FingerprintKey(null);
        }

        if (redis.KeyRingKey is { } value && KeyEncryptionKey.IsValid(value))
        {
            return new FingerprintKey(HKDF.DeriveKey(HashAlgorithmName.SHA256, KeyEncryptionKey.Parse(value).Key, 32, info: Purpose));
        }

        if (redis.KeyRingCertificatePath is { } path && File.Exists(path))
        {
            using var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, redis.KeyRingCertificatePassword);
            using var rsa = certificate.GetRSAPrivateKey();
            if (rsa is not null)
            {
                // PKCS#1 v1.5 signatures are deterministic: every replica with the certificate derives the same key.
                return new FingerprintKey(SHA256.HashData(rsa.SignData(Purpose, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
            }
        }

        return new FingerprintKey(null);
    }

    /// <summary>Six bytes of HMAC-SHA256 (or SHA-256 without a key) over the text, as hex.</summary>
    public string Fingerprint(string text)
    {
        var data = Encoding.UTF8.GetBytes(text);
        var hash = Key is null ? SHA256.HashData(data) : HMACSHA256.HashData(Key, data);
        return Convert.ToHexStringLower(hash.AsSpan(0, 6));
    }
}
