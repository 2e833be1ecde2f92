using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using WamsGateway.Caching.KeyRing;

namespace WamsGateway.Caching;

/// <summary>
/// What the cache writes to Redis: every value encrypted and authenticated with ASP.NET Core Data
/// Protection under a purpose that includes its own Redis key. A value copied to another key (another
/// user's token, another API) does not decrypt there: it is read as a miss, logged, and replaced by a
/// fresh exchange, never served. While the key ring is unusable (<see cref="KeyRingStatus"/>), Redis is
/// neither read nor written: every read is a miss and every write is skipped, without an exception for
/// FusionCache to log, break its circuit on and retry in the background for each request.
/// </summary>
internal sealed partial class ProtectedDistributedCache : IDistributedCache
{
    public const string Purpose = "WamsGateway.DelegationCache.v2";

    private readonly IDistributedCache _inner;
    private readonly IDataProtector _protector;
    private readonly KeyRingStatus _keyRing;
    private readonly ILogger<ProtectedDistributedCache> _logger;
    private readonly TimeProvider _time;
    private long _lastWarningTicks = long.MinValue;
    private int _suppressed;

    public ProtectedDistributedCache(IDistributedCache inner, IDataProtectionProvider provider, KeyRingStatus keyRing, TimeProvider time, ILogger<ProtectedDistributedCache> logger)
    {
        _inner = inner;
        _protector = provider.CreateProtector(Purpose);
        _keyRing = keyRing;
        _time = time;
        _logger = logger;
    }

    /// <summary>At most one Warning per this interval, however many values an attacker plants.</summary>
    public static TimeSpan WarningInterval { get; } = TimeSpan.FromMinutes(1);

    public byte[]? Get(string key) => _keyRing.IsUsable() ? Open(key, _inner.Get(key)) : null;

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        _keyRing.IsUsable() ? Open(key, await _inner.GetAsync(key, token)) : null;

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        if (Seal(key, value) is { } sealedValue)
        {
            _inner.Set(key, sealedValue, options);
        }
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        Seal(key, value) is { } sealedValue ? _inner.SetAsync(key, sealedValue, options, token) : Task.CompletedTask;

    public void Refresh(string key) => _inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

    public void Remove(string key) => _inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

    /// <summary>The value encrypted for its key; null (nothing to write) while the key ring is unusable.</summary>
    private byte[]? Seal(string key, byte[] value)
    {
        if (!_keyRing.IsUsable())
        {
            return null;
        }

        byte[] sealedValue;
        try
        {
            sealedValue = _protector.CreateProtector(key).Protect(value);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Encrypting does not depend on the value: the key ring is unusable. Logged once, by the status.
            _keyRing.Failed(ex);
            return null;
        }

        _keyRing.Succeeded();
        return sealedValue;
    }

    private byte[]? Open(string key, byte[]? value)
    {
        if (value is null)
        {
            return null;
        }

        byte[] opened;
        try
        {
            opened = _protector.CreateProtector(key).Unprotect(value);
        }
        catch (CryptographicException)
        {
            // The value's fault (copied, tampered with, written under a key this replica does not have),
            // or the ring's: the probe tells them apart, and records the latter.
            if (_keyRing.Probe())
            {
                WarnOnce(key);
            }

            return null;
        }

        _keyRing.Succeeded();
        return opened;
    }

    private void WarnOnce(string key)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastWarningTicks);
        if ((last == long.MinValue || now - last >= WarningInterval.Ticks) && Interlocked.CompareExchange(ref _lastWarningTicks, now, last) == last)
        {
            Log.ForeignValue(_logger, ApiOf(key), Interlocked.Exchange(ref _suppressed, 0));
        }
        else
        {
            Interlocked.Increment(ref _suppressed);
            Log.ForeignValueRepeated(_logger, ApiOf(key));
        }
    }

    /// <summary>The API part of a key (<c>...delegation:{api}:{fingerprint}:{hash}</c>): a configured name, never the token hash.</summary>
    private static string ApiOf(string key)
    {
        var parts = key.Split(':');
        var at = Array.IndexOf(parts, "delegation");
        return at >= 0 && at + 1 < parts.Length ? parts[at + 1] : "-";
    }

    private static partial class Log
    {
        [LoggerMessage(410, LogLevel.Warning, "A value in Redis for API {Api} does not decrypt for its own key (copied from another key, tampered with, or written under a key ring this replica cannot read); treated as a miss and exchanged again. {Suppressed} more since the last such warning.")]
        public static partial void ForeignValue(ILogger logger, string api, int suppressed);

        [LoggerMessage(411, LogLevel.Debug, "Another value in Redis for API {Api} does not decrypt for its own key; treated as a miss.")]
        public static partial void ForeignValueRepeated(ILogger logger, string api);
    }
}
