namespace WamsGateway.Caching.KeyRing;

/// <summary>The AES-256-GCM layout of an encrypted key ring element: nonce, ciphertext, tag.</summary>
internal static class KeyRingCipher
{
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const string ElementName = "wamsGatewayEncryptedKey";

    public static ReadOnlySpan<byte> AssociatedData => "WamsGateway.KeyRing.v1"u8;
}
