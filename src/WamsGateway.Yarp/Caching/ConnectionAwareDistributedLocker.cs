using ZiggyCreatures.Caching.Fusion.Locking.Distributed;

namespace WamsGateway.Caching;

/// <summary>
/// Takes a Redis lock only when this replica can finish what the lock is for, and never holds one for
/// longer than that may take.
/// <list type="bullet">
/// <item>Only while <c>mayLock</c> says so: Redis connected (while it is away, every acquisition would throw
/// and be logged, once per request) and the key ring usable (a replica that cannot encrypt cannot write
/// the value the lock guards). Otherwise it answers "no lock" and FusionCache goes on without one: this
/// replica exchanges for itself, and the others are not kept waiting.</item>
/// <item>At most <c>maxHold</c>: when FusionCache's write to Redis fails after the exchange, it keeps the
/// lock (and Redis keeps renewing it) instead of releasing it, so every other replica would wait its
/// whole lock timeout for that key, for as long as this process runs. Past <c>maxHold</c> (longer than
/// any exchange and its write may take) the lock is released here.</item>
/// </list>
/// </summary>
internal sealed partial class ConnectionAwareDistributedLocker : IFusionCacheDistributedLocker, IDisposable
{
    private readonly IFusionCacheDistributedLocker _inner;
    private readonly Func<bool> _mayLock;
    private readonly TimeSpan _maxHold;
    private readonly TimeProvider _time;
    private readonly ILogger<ConnectionAwareDistributedLocker> _logger;

    /// <param name="inner">The Redis locker.</param>
    /// <param name="mayLock">Whether a lock taken now could be completed: Redis connected, key ring usable.</param>
    /// <param name="maxHold">The longest a lock is held before it is released here.</param>
    /// <param name="time">The clock <paramref name="maxHold"/> is measured with.</param>
    /// <param name="logger">Where a lock released here is reported (Debug).</param>
    public ConnectionAwareDistributedLocker(IFusionCacheDistributedLocker inner, Func<bool> mayLock, TimeSpan maxHold, TimeProvider time, ILogger<ConnectionAwareDistributedLocker> logger)
    {
        _inner = inner;
        _mayLock = mayLock;
        _maxHold = maxHold;
        _time = time;
        _logger = logger;
    }

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        if (!_mayLock())
        {
            return null;
        }

        var handle = await _inner.AcquireLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token);
        return handle is null ? null : new HeldLock(this, new LockIdentity(cacheName, cacheInstanceId, operationId, key, lockName), handle);
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        if (!_mayLock())
        {
            return null;
        }

        var handle = _inner.AcquireLock(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token);
        return handle is null ? null : new HeldLock(this, new LockIdentity(cacheName, cacheInstanceId, operationId, key, lockName), handle);
    }

    public ValueTask ReleaseLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token)
    {
        if (lockObj is not HeldLock held)
        {
            return _inner.ReleaseLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);
        }

        return held.TryClaim() ? ReleaseAsync(held, logger, token) : ValueTask.CompletedTask;
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token)
    {
        if (lockObj is not HeldLock held)
        {
            _inner.ReleaseLock(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);
        }
        else if (held.TryClaim())
        {
            var name = held.Name;
            _inner.ReleaseLock(name.CacheName, name.CacheInstanceId, name.OperationId, name.Key, name.LockName, held.Handle, logger, token);
        }
    }

    public void Dispose() => (_inner as IDisposable)?.Dispose();

    private ValueTask ReleaseAsync(HeldLock held, ILogger? logger, CancellationToken token)
    {
        var name = held.Name;
        return _inner.ReleaseLockAsync(name.CacheName, name.CacheInstanceId, name.OperationId, name.Key, name.LockName, held.Handle, logger, token);
    }

    /// <summary>The lock outlived <see cref="_maxHold"/>: its holder could not finish. The Redis locker logs a failed release itself.</summary>
    private async Task ReleaseAbandonedAsync(HeldLock held)
    {
        Log.ReleasedAbandoned(_logger, _maxHold.TotalSeconds);
        try
        {
            await ReleaseAsync(held, _logger, CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.ReleaseFailed(_logger, ex.GetType().Name);
        }
    }

    private sealed record LockIdentity(string CacheName, string CacheInstanceId, string OperationId, string Key, string LockName);

    /// <summary>A lock FusionCache holds, released once: by FusionCache, or here when it is held too long.</summary>
    private sealed class HeldLock
    {
        private readonly ITimer? _timer;
        private int _released;

        public HeldLock(ConnectionAwareDistributedLocker owner, LockIdentity name, object handle)
        {
            Name = name;
            Handle = handle;
            _timer = owner._time.CreateTimer(
                static state =>
                {
                    var (locker, held) = ((ConnectionAwareDistributedLocker, HeldLock))state!;
                    if (held.TryClaim())
                    {
                        _ = locker.ReleaseAbandonedAsync(held);
                    }
                },
                (owner, this),
                owner._maxHold,
                Timeout.InfiniteTimeSpan);
            if (Volatile.Read(ref _released) != 0)
            {
                // Released before the timer was even stored.
                _timer.Dispose();
            }
        }

        public LockIdentity Name { get; }

        public object Handle { get; }

        /// <summary>True for the one caller that gets to release it.</summary>
        public bool TryClaim()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return false;
            }

            // Null only when the timer fired before its constructor returned.
            _timer?.Dispose();
            return true;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(412, LogLevel.Debug, "Released a Redis lock held for {Seconds} s: the exchange it was taken for could not write its outcome to Redis, and other replicas would otherwise wait on it.")]
        public static partial void ReleasedAbandoned(ILogger logger, double seconds);

        [LoggerMessage(413, LogLevel.Debug, "Releasing a Redis lock held too long failed ({Error}); Redis lets it expire.")]
        public static partial void ReleaseFailed(ILogger logger, string error);
    }
}
