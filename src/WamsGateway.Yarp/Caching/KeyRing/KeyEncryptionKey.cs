using System.Security.Cryptography;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// <c>Gateway:Redis:KeyRingKey</c>: 32 random bytes, given in base64, that encrypt the Data Protection
/// key ring before it is written to Redis. Its id (a hash prefix) names it in the stored XML, so an
/// operator can tell which key a ring needs; the id reveals nothing of the key.
/// </summary>
internal sealed class KeyEncryptionKey
{
    public const int SizeInBytes = 32;

    private KeyEncryptionKey(byte[] key)
    {
        Key = key;
        Id = Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 6));
    }

    public byte[] Key { get; }

    public string Id { get; }

    public static bool IsValid(string value) => TryParse(value, out _);

    public static KeyEncryptionKey Parse(string value) =>
        TryParse(value, out var key) ? key : throw new CryptographicException($"Gateway:Redis:KeyRingKey is not {SizeInBytes} bytes in base64.");

    private static bool TryParse(string value, out KeyEncryptionKey key)
    {
        var bytes = new byte[SizeInBytes + 3];
        if (Convert.TryFromBase64String(value.Trim(), bytes, out var written) && written == SizeInBytes)
        {
            key = new KeyEncryptionKey(bytes[..SizeInBytes]);
            return true;
        }

        key = null!;
        return false;
    }
}
