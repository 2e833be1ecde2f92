using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// The key ring as Redis holds it, less every key that the configured protection did not encrypt.
/// Whoever can write to Redis could otherwise add a key of their own, in plain text, with a later
/// activation date: the replicas would adopt it as their default and encrypt every new cache entry
/// with a key the writer knows. A key is accepted only when its secret is an <c>encryptedSecret</c>
/// for the configured decryptor and it holds no <c>masterKey</c> in plain form; anything else is
/// left out and logged at Warning, once per key id. A repeated key id is read once. What a Redis
/// writer can still do is deny service (revoke keys, drop the ring): that costs the cache, not secrets.
/// </summary>
internal sealed partial class ProtectedKeyRingRepository : IXmlRepository
{
    private static readonly XName EncryptedSecret = XName.Get("encryptedSecret", "http://schemas.asp.net/2015/03/dataProtection");

    private readonly IXmlRepository _inner;
    private readonly string _decryptorType;
    private readonly ILogger<ProtectedKeyRingRepository> _logger;
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.Ordinal);

    /// <param name="inner">The Redis repository.</param>
    /// <param name="decryptorType">The decryptor the configured protection writes into each key.</param>
    /// <param name="logger">Where refused keys are reported.</param>
    public ProtectedKeyRingRepository(IXmlRepository inner, Type decryptorType, ILogger<ProtectedKeyRingRepository> logger)
    {
        _inner = inner;
        _decryptorType = decryptorType.FullName!;
        _logger = logger;
    }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        // A second copy of a key id would make Data Protection refuse the whole ring: keep the first.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return _inner.GetAllElements()
            .Where(Accept)
            .Where(e => e.Name.LocalName != "key" || seen.Add((string?)e.Attribute("id") ?? string.Empty))
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName) => _inner.StoreElement(element, friendlyName);

    private bool Accept(XElement element)
    {
        if (element.Name.LocalName != "key")
        {
            // Revocations and anything else carry no secret; the worst they do is cost the cache.
            return true;
        }

        var protectedSecret = element.Descendants(EncryptedSecret).Any(e => IsConfiguredDecryptor((string?)e.Attribute("decryptorType")));
        var plainSecret = element.Descendants().Any(e => e.Name.LocalName == "masterKey");
        if (protectedSecret && !plainSecret)
        {
            return true;
        }

        var id = (string?)element.Attribute("id") ?? "-";
        if (_refused.Count < 1000 && _refused.TryAdd(id, true))
        {
            Log.Refused(_logger, id.Length > 40 ? id[..40] : id);
        }

        return false;
    }

    private bool IsConfiguredDecryptor(string? type) =>
        type is not null && (type == _decryptorType || type.StartsWith(_decryptorType + ",", StringComparison.Ordinal));

    private static partial class Log
    {
        [LoggerMessage(421, LogLevel.Warning, "Ignored Data Protection key {KeyId} found in Redis: it is not encrypted with the configured key-ring protection, so it was not written by a replica of this gateway. Someone with write access to Redis may have planted it.")]
        public static partial void Refused(ILogger logger, string keyId);
    }
}
