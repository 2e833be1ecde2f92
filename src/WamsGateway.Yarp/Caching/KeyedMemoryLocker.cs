using ZiggyCreatures.Caching.Fusion.Locking;

namespace WamsGateway.Caching;

/// <summary>
/// FusionCache's lock for concurrent misses of one key in this process: one semaphore per key while
/// someone holds or waits for it, removed with the last of them. FusionCache's standard locker keeps a
/// semaphore per key for five minutes after its last use, memory that grows with the number of distinct
/// callers whatever <c>Gateway:Cache:MaxEntries</c> says; this one grows with the misses in flight only,
/// and one caller's slow exchange never holds up another key's.
/// </summary>
internal sealed class KeyedMemoryLocker : IFusionCacheMemoryLocker
{
    private readonly Dictionary<string, KeyLock> _locks = new(StringComparer.Ordinal);

    /// <summary>Keys held or waited for now.</summary>
    public int Count
    {
        get
        {
            lock (_locks)
            {
                return _locks.Count;
            }
        }
    }

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var keyLock = Enter(key);
        var acquired = false;
        try
        {
            acquired = await keyLock.Semaphore.WaitAsync(timeout, token).ConfigureAwait(false);
            return acquired ? keyLock : null;
        }
        finally
        {
            if (!acquired)
            {
                Leave(keyLock);
            }
        }
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var keyLock = Enter(key);
        var acquired = false;
        try
        {
            acquired = keyLock.Semaphore.Wait(timeout, token);
            return acquired ? keyLock : null;
        }
        finally
        {
            if (!acquired)
            {
                Leave(keyLock);
            }
        }
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, object? lockObj, ILogger? logger)
    {
        if (lockObj is KeyLock keyLock)
        {
            keyLock.Semaphore.Release();
            Leave(keyLock);
        }
    }

    public void Dispose()
    {
    }

    private KeyLock Enter(string key)
    {
        lock (_locks)
        {
            if (!_locks.TryGetValue(key, out var keyLock))
            {
                keyLock = new KeyLock(key);
                _locks.Add(key, keyLock);
            }

            keyLock.Users++;
            return keyLock;
        }
    }

    private void Leave(KeyLock keyLock)
    {
        lock (_locks)
        {
            if (--keyLock.Users == 0)
            {
                _locks.Remove(keyLock.Key);
            }
        }
    }

    private sealed class KeyLock(string key)
    {
        public string Key { get; } = key;

        // No wait handle is ever asked of it, so nothing to dispose.
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        // Holders and waiters; changed under the dictionary's lock.
        public int Users { get; set; }
    }
}
