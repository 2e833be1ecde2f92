using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// The Data Protection key ring in Redis: the list <c>{KeyPrefix}dataprotection-keys</c>, one XML element
/// per entry, as ASP.NET Core's <c>RedisXmlRepository</c> keeps it (rings it wrote keep working, and it
/// can read what this one writes). Unlike it, each entry is read on its own and checked by
/// <see cref="KeyRingEntryFilter"/>: an entry that is not XML, or that Data Protection would refuse the
/// whole ring for, is left out and logged instead of making the ring unreadable.
/// </summary>
internal sealed class RedisKeyRingRepository : IXmlRepository
{
    private readonly Func<IDatabase> _database;
    private readonly RedisKey _key;
    private readonly KeyRingEntryFilter _filter;

    public RedisKeyRingRepository(Func<IDatabase> database, RedisKey key, KeyRingEntryFilter filter)
    {
        _database = database;
        _key = key;
        _filter = filter;
    }

    /// <exception cref="RedisException">Redis could not be read: Data Protection keeps the ring it has, or has none yet.</exception>
    public IReadOnlyCollection<XElement> GetAllElements() =>
        _filter.Accept(Array.ConvertAll(_database().ListRange(_key), static value => (string?)value));

    public void StoreElement(XElement element, string friendlyName) =>
        _database().ListRightPush(_key, element.ToString(SaveOptions.DisableFormatting));
}
