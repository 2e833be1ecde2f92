using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// The Data Protection key ring in Redis: the list <c>{KeyPrefix}dataprotection-keys</c>, one XML element
/// per entry, as ASP.NET Core's <c>RedisXmlRepository</c> keeps it (rings it wrote keep working, and it
/// can read what this one writes). Unlike it, each entry is read on its own and checked by
/// <see cref="KeyRingEntryFilter"/>: an entry that is not XML, or that Data Protection would refuse the
/// whole ring for, is left out and logged instead of making the ring unreadable. It remembers what Data
/// Protection last read and the keys it has seen, for <see cref="KeyRingWatch"/>.
/// </summary>
internal sealed class RedisKeyRingRepository : IXmlRepository
{
    /// <summary>How many keys are remembered to be written back; a replica makes one every 90 days.</summary>
    public const int MaxRememberedKeys = 256;

    private static readonly XName KeyName = "key";

    private readonly Func<IDatabase> _database;
    private readonly RedisKey _key;
    private readonly KeyRingEntryFilter _filter;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, string> _keys = [];
    private IReadOnlySet<string> _lastRead = new HashSet<string>(StringComparer.Ordinal);

    public RedisKeyRingRepository(Func<IDatabase> database, RedisKey key, KeyRingEntryFilter filter)
    {
        _database = database;
        _key = key;
        _filter = filter;
    }

    /// <summary>The entries Data Protection read last, as text.</summary>
    public IReadOnlySet<string> LastRead
    {
        get
        {
            lock (_gate)
            {
                return _lastRead;
            }
        }
    }

    /// <exception cref="RedisException">Redis could not be read: Data Protection keeps the ring it has, or has none yet.</exception>
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var accepted = Read();
        lock (_gate)
        {
            _lastRead = accepted.Select(Text).ToHashSet(StringComparer.Ordinal);
            Remember(accepted);
        }

        return accepted;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        _database().ListRightPush(_key, Text(element));
        lock (_gate)
        {
            Remember([element]);
        }
    }

    /// <summary>The entries of the ring in Redis that Data Protection may read (<see cref="KeyRingEntryFilter"/>).</summary>
    /// <exception cref="RedisException">Redis could not be read.</exception>
    public IReadOnlyCollection<XElement> Read() => Accept(_database().ListRange(_key));

    /// <summary>
    /// <see cref="Read"/> without blocking a thread: what <see cref="KeyRingWatch"/> runs on the thread pool, where a thread
    /// waiting for Redis holds up every request queued behind it (in a process on one core, until the pool adds a thread,
    /// about half a second later).
    /// </summary>
    /// <exception cref="RedisException">Redis could not be read.</exception>
    public async Task<IReadOnlyCollection<XElement>> ReadAsync() => Accept(await _database().ListRangeAsync(_key));

    private IReadOnlyCollection<XElement> Accept(RedisValue[] values) =>
        _filter.Accept(Array.ConvertAll(values, static value => (string?)value));

    /// <summary>
    /// When the ring in Redis holds none of the keys this replica has read or written (Redis restarted without its data,
    /// or the list was deleted), writes them back, so every replica finds the keys what is cached was encrypted with.
    /// </summary>
    /// <returns>How many keys were written back.</returns>
    /// <exception cref="RedisException">Redis could not be read or written.</exception>
    public async Task<int> RestoreLostKeysAsync(IReadOnlyCollection<XElement> inRedis)
    {
        List<string> lost;
        lock (_gate)
        {
            var present = inRedis.Select(KeyId).OfType<Guid>().ToHashSet();
            if (_keys.Count == 0 || _keys.Keys.Any(present.Contains))
            {
                return 0;
            }

            lost = [.. _keys.Values];
        }

        var database = _database();
        foreach (var text in lost)
        {
            await database.ListRightPushAsync(_key, text);
        }

        return lost.Count;
    }

    private void Remember(IEnumerable<XElement> elements)
    {
        foreach (var element in elements)
        {
            if (KeyId(element) is { } id && (_keys.Count < MaxRememberedKeys || _keys.ContainsKey(id)))
            {
                _keys[id] = Text(element);
            }
        }
    }

    /// <summary>A key's id (the filter let through only keys whose id is a GUID); null for a revocation.</summary>
    private static Guid? KeyId(XElement element) =>
        element.Name == KeyName && Guid.TryParse((string?)element.Attribute("id"), out var id) ? id : null;

    public static string Text(XElement element) => element.ToString(SaveOptions.DisableFormatting);
}
