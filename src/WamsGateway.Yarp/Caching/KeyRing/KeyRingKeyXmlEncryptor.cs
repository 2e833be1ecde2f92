using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// Encrypts each Data Protection key with AES-256-GCM under <c>Gateway:Redis:KeyRingKey</c> before the
/// key ring is written to Redis, so a copy of Redis holds no key that decrypts the cache.
/// </summary>
internal sealed class KeyRingKeyXmlEncryptor : IXmlEncryptor
{
    private readonly KeyEncryptionKey _key;

    public KeyRingKeyXmlEncryptor(KeyEncryptionKey key)
    {
        _key = key;
    }

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[KeyRingCipher.NonceSize + plaintext.Length + KeyRingCipher.TagSize];
        var nonce = sealedBytes.AsSpan(0, KeyRingCipher.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_key.Key, KeyRingCipher.TagSize))
        {
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(KeyRingCipher.NonceSize, plaintext.Length),
                sealedBytes.AsSpan(KeyRingCipher.NonceSize + plaintext.Length), KeyRingCipher.AssociatedData);
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(KeyRingCipher.ElementName,
            new XComment(" Encrypted with Gateway:Redis:KeyRingKey (AES-256-GCM); without that key this element is useless. "),
            new XAttribute("keyId", _key.Id),
            new XElement("value", Convert.ToBase64String(sealedBytes)));
        return new EncryptedXmlInfo(element, typeof(KeyRingKeyXmlDecryptor));
    }
}
