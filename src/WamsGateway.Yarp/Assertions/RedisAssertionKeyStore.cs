using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;
using WamsGateway.Caching;

namespace WamsGateway.Assertions;

/// <summary>
/// With Redis: one Redis key per period, <c>{KeyPrefix}assertion-key:{slot}</c>, its value encrypted and
/// authenticated with Data Protection (the cache's key ring, itself protected by <c>KeyRingKey</c> or a
/// certificate) under a purpose naming the slot, so Redis never holds a private key in clear and a value
/// moved to another slot does not open there. The first replica to ask writes the period's key; the
/// others read it. A value that does not open (planted, or from a key ring this fleet cannot read) is
/// replaced, atomically, by one key that every replica then reads, and logged.
/// </summary>
internal sealed partial class RedisAssertionKeyStore : IAssertionKeyStore
{
    public const string Purpose = "WamsGateway.AssertionKeys.v1";

    // Writes ARGV[1] when the key holds nothing, or (ARGV[4] = 1) still holds ARGV[2], the unreadable value
    // to replace; returns what the key holds afterwards.
    private const string SetUnlessOther = """
        local current = redis.call('GET', KEYS[1])
        if (not current) or (ARGV[4] == '1' and current == ARGV[2]) then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
          return ARGV[1]
        end
        return current
        """;

    private readonly RedisConnection _connection;
    private readonly IDataProtector _protector;
    private readonly string _prefix;
    private readonly TimeSpan _keep;
    private readonly ILogger<RedisAssertionKeyStore> _logger;

    /// <param name="connection">The gateway's Redis connection.</param>
    /// <param name="dataProtection">Data Protection over the key ring the cache uses.</param>
    /// <param name="keyPrefix"><c>Gateway:Redis:KeyPrefix</c>.</param>
    /// <param name="keep">How long Redis keeps a period's key: longer than it is ever published.</param>
    /// <param name="logger">Where replaced keys are reported.</param>
    public RedisAssertionKeyStore(RedisConnection connection, IDataProtectionProvider dataProtection, string keyPrefix, TimeSpan keep, ILogger<RedisAssertionKeyStore> logger)
    {
        _connection = connection;
        _protector = dataProtection.CreateProtector(Purpose);
        _prefix = keyPrefix + "assertion-key:";
        _keep = keep;
        _logger = logger;
    }

    public async Task<AssertionKey> GetOrAddAsync(string slot, Func<byte[], AssertionKey?> read, Func<AssertionKey> create, CancellationToken cancellationToken)
    {
        var database = _connection.Multiplexer.GetDatabase();
        var stored = (byte[]?)await database.StringGetAsync(_prefix + slot).WaitAsync(cancellationToken);
        if (stored is not null && Open(slot, stored, read) is { } existing)
        {
            return existing;
        }

        if (stored is not null)
        {
            Log.Unreadable(_logger, slot);
        }

        var created = create();
        var value = Seal(slot, created.Material);
        var result = (byte[]?)await database.ScriptEvaluateAsync(SetUnlessOther, [_prefix + slot],
            [value, stored ?? [], (long)_keep.TotalMilliseconds, stored is null ? 0 : 1]).WaitAsync(cancellationToken);
        if (result is not null && result.AsSpan().SequenceEqual(value))
        {
            return created;
        }

        // Another replica wrote first: its key is the fleet's.
        return (result is null ? null : Open(slot, result, read))
            ?? throw new InvalidOperationException($"The assertion key {slot} in Redis does not open with this replica's key ring.");
    }

    public async Task<AssertionKey?> GetAsync(string slot, Func<byte[], AssertionKey?> read, CancellationToken cancellationToken)
    {
        var stored = (byte[]?)await _connection.Multiplexer.GetDatabase().StringGetAsync(_prefix + slot).WaitAsync(cancellationToken);
        return stored is null ? null : Open(slot, stored, read);
    }

    public Task SetAsync(string slot, AssertionKey key, CancellationToken cancellationToken) =>
        _connection.Multiplexer.GetDatabase().StringSetAsync(_prefix + slot, Seal(slot, key.Material), _keep).WaitAsync(cancellationToken);

    private byte[] Seal(string slot, byte[] material) => _protector.CreateProtector(slot).Protect(material);

    private AssertionKey? Open(string slot, byte[] stored, Func<byte[], AssertionKey?> read)
    {
        byte[] material;
        try
        {
            material = _protector.CreateProtector(slot).Unprotect(stored);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }

        return read(material);
    }

    private static partial class Log
    {
        [LoggerMessage(611, LogLevel.Warning, "The assertion signing key {Slot} in Redis does not open with this fleet's key ring (planted, tampered with, or written under another KeyRingKey); a new key replaces it.")]
        public static partial void Unreadable(ILogger logger, string slot);
    }
}
