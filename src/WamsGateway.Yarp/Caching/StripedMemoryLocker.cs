using ZiggyCreatures.Caching.Fusion.Locking;

namespace WamsGateway.Caching;

/// <summary>
/// FusionCache's lock for concurrent misses of one key in this process, from a fixed pool of semaphores
/// picked by the key's hash. FusionCache's standard locker keeps a semaphore per key for five minutes
/// after its last use: memory that grows with the number of distinct callers, whatever
/// <c>Gateway:Cache:MaxEntries</c> says. Here it is fixed. Two keys may share a semaphore, so one miss may
/// wait for another's exchange; the exchange never calls the cache, so that cannot deadlock.
/// </summary>
internal sealed class StripedMemoryLocker : IFusionCacheMemoryLocker
{
    private readonly SemaphoreSlim[] _stripes;

    public StripedMemoryLocker(int stripes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stripes, 1);
        _stripes = new SemaphoreSlim[stripes];
        for (var i = 0; i < stripes; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var stripe = For(key);
        return await stripe.WaitAsync(timeout, token).ConfigureAwait(false) ? stripe : null;
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var stripe = For(key);
        return stripe.Wait(timeout, token) ? stripe : null;
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, object? lockObj, ILogger? logger)
    {
        if (lockObj is SemaphoreSlim stripe)
        {
            stripe.Release();
        }
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }

    private SemaphoreSlim For(string key) => _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_stripes.Length)];
}
