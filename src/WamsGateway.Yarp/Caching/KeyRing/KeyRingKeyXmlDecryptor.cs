using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using WamsGateway.Observability;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// Decrypts what <see cref="KeyRingKeyXmlEncryptor"/> wrote. Data Protection creates it by type name
/// with the application's services, from which it reads the configured key.
/// </summary>
internal sealed class KeyRingKeyXmlDecryptor : IXmlDecryptor
{
    private readonly IServiceProvider? _services;

    public KeyRingKeyXmlDecryptor(IServiceProvider services)
    {
        _services = services;
    }

    public XElement Decrypt(XElement encryptedElement) =>
        Decrypt(encryptedElement, _services?.GetService<KeyEncryptionKey>()
            ?? throw new CryptographicException("The key ring was encrypted with Gateway:Redis:KeyRingKey, and no KeyRingKey is configured."));

    /// <summary>Whether <paramref name="encryptedElement"/> decrypts with <paramref name="key"/>: written by a replica that holds it.</summary>
    public static bool CanDecrypt(XElement encryptedElement, KeyEncryptionKey key)
    {
        try
        {
            _ = Decrypt(encryptedElement, key);
            return true;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or System.Xml.XmlException or ArgumentException)
        {
            return false;
        }
    }

    private static XElement Decrypt(XElement encryptedElement, KeyEncryptionKey key)
    {
        if ((string?)encryptedElement.Attribute("keyId") is { } id && id != key.Id)
        {
            // The id is read from Redis: Data Protection logs this message, so it is sanitised.
            throw new CryptographicException($"The key ring element was encrypted with the KeyRingKey whose id is {UntrustedText.ForLog(id, 16)}; the configured one is {key.Id}.");
        }

        var sealedBytes = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? string.Empty);
        if (sealedBytes.Length < KeyRingCipher.NonceSize + KeyRingCipher.TagSize)
        {
            throw new CryptographicException("The encrypted key ring element is truncated.");
        }

        var ciphertextLength = sealedBytes.Length - KeyRingCipher.NonceSize - KeyRingCipher.TagSize;
        var plaintext = new byte[ciphertextLength];
        using (var aes = new AesGcm(key.Key, KeyRingCipher.TagSize))
        {
            aes.Decrypt(sealedBytes.AsSpan(0, KeyRingCipher.NonceSize), sealedBytes.AsSpan(KeyRingCipher.NonceSize, ciphertextLength),
                sealedBytes.AsSpan(KeyRingCipher.NonceSize + ciphertextLength), plaintext, KeyRingCipher.AssociatedData);
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
