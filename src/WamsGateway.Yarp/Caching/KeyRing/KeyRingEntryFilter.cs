using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using WamsGateway.Observability;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// Decides, entry by entry, what of the key ring in Redis Data Protection gets to see. Each list entry
/// is parsed on its own, so one bad entry costs that entry, never the ring: whoever can write to Redis
/// must not be able to stop every replica from encrypting by adding one. Left out, each logged at
/// Warning once (its text sanitised):
/// <list type="bullet">
/// <item>an entry that is not XML (or is larger than <see cref="MaxEntryLength"/>), and an element that is neither a
/// <c>key</c> nor a <c>revocation</c>: replicas write nothing else;</item>
/// <item>a <c>key</c> whose id is not a GUID or whose dates do not parse, and a <c>revocation</c> Data Protection
/// could not read: either would make Data Protection log the element or refuse the whole ring;</item>
/// <item>a <c>key</c> not protected as configured (see <see cref="IsProtected"/>), with <c>Gateway:Redis:KeyRingKey</c>
/// one whose secret does not decrypt with it: otherwise a writer could add a plain key with a later activation date that
/// every replica would adopt to encrypt new entries, or a copy of a real key (its id, a secret of their own) ahead of
/// it, which Data Protection would read instead of the real one;</item>
/// <item>a second <c>key</c> with an id seen before, compared as GUIDs (<c>{guid}</c>, upper case, <c>N</c>
/// format are the same id): Data Protection refuses a ring that holds one id twice. The first is kept.</item>
/// <item>a revocation of every key (<c>id="*"</c>) dated later than now plus <see cref="RevocationClockSkew"/>: it would
/// revoke the keys replicas have not made yet too, so each replica would make a key no other replica (nor itself, at its
/// next read) accepts, and the shared cache would stay unusable until the entry is removed and every replica restarted.
/// Data Protection dates the revocations it writes with the current time.</item>
/// </list>
/// Other well-formed revocations pass: a writer can revoke keys, which costs the shared cache (every replica
/// makes a new key and exchanges again), never a secret.
/// </summary>
internal sealed partial class KeyRingEntryFilter
{
    /// <summary>The largest entry read; a replica's own keys are a few kilobytes.</summary>
    public const int MaxEntryLength = 64 * 1024;

    /// <summary>How far in the future a revocation of every key may be dated (clocks of replicas differ) before it is left out.</summary>
    public static readonly TimeSpan RevocationClockSkew = TimeSpan.FromSeconds(5);

    /// <summary>How many ignored entries are remembered as already logged; past that, one more line says so and no more.</summary>
    public const int MaxRemembered = 1024;

    private static readonly XName KeyName = "key";
    private static readonly XName RevocationName = "revocation";
    private static readonly XName IdName = "id";
    private static readonly XName RevocationDateName = "revocationDate";
    private static readonly XName[] KeyDateNames = ["creationDate", "activationDate", "expirationDate"];
    private static readonly XName EncryptedSecret = XName.Get("encryptedSecret", "http://schemas.asp.net/2015/03/dataProtection");

    // As XElement.Parse reads (insignificant whitespace dropped), without a DTD: replicas never write one.
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = true,
        MaxCharactersInDocument = MaxEntryLength,
    };

    private readonly string? _decryptorType;
    private readonly KeyEncryptionKey? _key;
    private readonly ILogger<KeyRingEntryFilter> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<UInt128, byte> _logged = new();
    private int _overflowLogged;

    /// <param name="decryptorType">The decryptor the configured protection writes into each key; null when the operator allowed an unprotected ring.</param>
    /// <param name="logger">Where ignored entries are reported.</param>
    /// <param name="time">The clock a mass revocation's date is compared with.</param>
    /// <param name="key">With <c>Gateway:Redis:KeyRingKey</c>: the key every key's secret must decrypt with.</param>
    public KeyRingEntryFilter(Type? decryptorType, ILogger<KeyRingEntryFilter> logger, TimeProvider time, KeyEncryptionKey? key = null)
    {
        _decryptorType = decryptorType?.FullName;
        _logger = logger;
        _time = time;
        _key = key;
    }

    /// <summary>Why an entry was left out.</summary>
    public enum Problem
    {
        None,
        TooLarge,
        NotXml,
        NotAKeyOrRevocation,
        KeyIdNotAGuid,
        KeyDatesUnreadable,
        NotProtected,
        DuplicateKeyId,
        RevocationUnreadable,
        RevocationOfFutureKeys,
    }

    /// <summary>The elements of <paramref name="entries"/> (the Redis list, in order) that Data Protection may read.</summary>
    public IReadOnlyCollection<XElement> Accept(IReadOnlyList<string?> entries)
    {
        var accepted = new List<XElement>(entries.Count);
        var keyIds = new HashSet<Guid>();
        for (var position = 0; position < entries.Count; position++)
        {
            var entry = entries[position] ?? string.Empty;
            var (element, problem, keyId) = Check(entry);
            if (problem == Problem.None && keyId is { } id && !keyIds.Add(id))
            {
                problem = Problem.DuplicateKeyId;
            }

            if (problem == Problem.None)
            {
                accepted.Add(element!);
            }
            else
            {
                Report(position, entry, element, problem);
            }
        }

        return accepted;
    }

    /// <summary>The element, or why it is left out; a key's id when it is a key.</summary>
    private (XElement? Element, Problem Problem, Guid? KeyId) Check(string entry)
    {
        if (entry.Length > MaxEntryLength)
        {
            return (null, Problem.TooLarge, null);
        }

        XElement element;
        try
        {
            using var reader = XmlReader.Create(new StringReader(entry), ReaderSettings);
            element = XElement.Load(reader);
        }
        catch (XmlException)
        {
            return (null, Problem.NotXml, null);
        }

        if (element.Name == RevocationName)
        {
            return (element, CheckRevocation(element), null);
        }

        if (element.Name != KeyName)
        {
            return (element, Problem.NotAKeyOrRevocation, null);
        }

        // As Data Protection reads them (XmlConvert: new Guid(text), ToDateTimeOffset(text)).
        if (!Guid.TryParse((string?)element.Attribute(IdName), out var id))
        {
            return (element, Problem.KeyIdNotAGuid, null);
        }

        if (!KeyDateNames.All(name => IsDate(element.Element(name)?.Value)))
        {
            return (element, Problem.KeyDatesUnreadable, null);
        }

        return (element, _decryptorType is null || IsProtected(element) ? Problem.None : Problem.NotProtected, id);
    }

    /// <summary>
    /// A key's secret is an <c>encryptedSecret</c> for the configured decryptor (with a key-encryption key: one that
    /// decrypts with it), and it holds no <c>masterKey</c> in plain form: only a replica that has the configured
    /// protection writes such a key.
    /// </summary>
    private bool IsProtected(XElement key) =>
        key.Descendants(EncryptedSecret).Any(e => IsConfiguredDecryptor((string?)e.Attribute("decryptorType")) && Decrypts(e))
        && !key.Descendants().Any(e => e.Name.LocalName == "masterKey");

    /// <summary>With a key-encryption key, the secret decrypts with it (the GCM tag holds): a Redis writer cannot make one.</summary>
    private bool Decrypts(XElement encryptedSecret) =>
        _key is null || (encryptedSecret.Elements().SingleOrDefault() is { } sealedSecret && KeyRingKeyXmlDecryptor.CanDecrypt(sealedSecret, _key));

    private bool IsConfiguredDecryptor(string? type) =>
        type is not null && (type == _decryptorType || type.StartsWith(_decryptorType + ",", StringComparison.Ordinal));

    /// <summary>
    /// What Data Protection needs of a revocation (it refuses the whole ring otherwise): a key id, or <c>*</c> with a date;
    /// and a revocation of every key must not reach past now, where it would revoke the keys replicas are about to make.
    /// </summary>
    private Problem CheckRevocation(XElement revocation)
    {
        var id = (string?)revocation.Element(KeyName)?.Attribute(IdName);
        if (id != "*")
        {
            return Guid.TryParse(id, out _) ? Problem.None : Problem.RevocationUnreadable;
        }

        if (ReadDate(revocation.Element(RevocationDateName)?.Value) is not { } date)
        {
            return Problem.RevocationUnreadable;
        }

        return date > _time.GetUtcNow() + RevocationClockSkew ? Problem.RevocationOfFutureKeys : Problem.None;
    }

    private static bool IsDate(string? text) => ReadDate(text) is not null;

    private static DateTimeOffset? ReadDate(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return XmlConvert.ToDateTimeOffset(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private void Report(int position, string entry, XElement? element, Problem problem)
    {
        if (!FirstTime(entry, problem))
        {
            return;
        }

        var keyId = UntrustedText.ForLog((string?)element?.Attribute(IdName));
        if (problem == Problem.NotProtected)
        {
            Log.NotProtected(_logger, keyId);
        }
        else
        {
            Log.Ignored(_logger, position, Describe(problem), keyId);
        }
    }

    /// <summary>Whether this entry, for this reason, has not been reported yet; bounded memory, whatever a writer adds.</summary>
    private bool FirstTime(string entry, Problem problem)
    {
        var text = entry.AsSpan(0, Math.Min(entry.Length, MaxEntryLength));
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length) + 8];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)problem);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), entry.Length);
        var length = 8 + Encoding.UTF8.GetBytes(text, bytes.AsSpan(8));
        var fingerprint = BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(bytes.AsSpan(0, length)));
        if (_logged.ContainsKey(fingerprint))
        {
            return false;
        }

        if (_logged.Count >= MaxRemembered)
        {
            if (Interlocked.Exchange(ref _overflowLogged, 1) == 0)
            {
                Log.TooManyIgnored(_logger, MaxRemembered);
            }

            return false;
        }

        return _logged.TryAdd(fingerprint, 0);
    }

    private static string Describe(Problem problem) => problem switch
    {
        Problem.TooLarge => $"larger than {MaxEntryLength / 1024} KiB",
        Problem.NotXml => "not XML",
        Problem.NotAKeyOrRevocation => "neither a key nor a revocation",
        Problem.KeyIdNotAGuid => "a key whose id is not a GUID",
        Problem.KeyDatesUnreadable => "a key whose creation, activation or expiration date is missing or unreadable",
        Problem.DuplicateKeyId => "a key whose id appears earlier in the ring (compared as GUIDs; the first is kept)",
        Problem.RevocationUnreadable => "a revocation without a readable key id or date",
        Problem.RevocationOfFutureKeys => "a revocation of every key dated in the future (it would revoke the keys replicas make from now on too)",
        _ => problem.ToString(),
    };

    private static partial class Log
    {
        [LoggerMessage(421, LogLevel.Warning, "Ignored Data Protection key {KeyId} found in Redis: it is not encrypted with the configured key-ring protection, so it was not written by a replica of this gateway. Someone with write access to Redis may have planted it.")]
        public static partial void NotProtected(ILogger logger, string keyId);

        [LoggerMessage(422, LogLevel.Warning, "Ignored entry {Position} of the Data Protection key ring in Redis: {Problem} (key id {KeyId}). Replicas of this gateway never write such an entry; someone with write access to Redis may have. The rest of the ring is in use.")]
        public static partial void Ignored(ILogger logger, int position, string problem, string keyId);

        [LoggerMessage(423, LogLevel.Warning, "More than {Count} distinct entries of the Data Protection key ring in Redis were ignored; further ones are ignored without a line each.")]
        public static partial void TooManyIgnored(ILogger logger, int count);
    }
}
