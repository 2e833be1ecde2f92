using ZiggyCreatures.Caching.Fusion.Locking.Distributed;

namespace WamsGateway.Caching;

/// <summary>
/// Asks Redis for a lock only while connected. While Redis is away, every acquisition would throw
/// and be logged, once per request; answering "no lock" instead lets FusionCache go on without it
/// (one exchange per replica until Redis is back) and keeps the log quiet.
/// </summary>
internal sealed class ConnectionAwareDistributedLocker : IFusionCacheDistributedLocker, IDisposable
{
    private readonly IFusionCacheDistributedLocker _inner;
    private readonly RedisConnection _connection;

    public ConnectionAwareDistributedLocker(IFusionCacheDistributedLocker inner, RedisConnection connection)
    {
        _inner = inner;
        _connection = connection;
    }

    public ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token) =>
        _connection.Multiplexer.IsConnected
            ? _inner.AcquireLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token)
            : ValueTask.FromResult<object?>(null);

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token) =>
        _connection.Multiplexer.IsConnected
            ? _inner.AcquireLock(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token)
            : null;

    public ValueTask ReleaseLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token) =>
        _inner.ReleaseLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token) =>
        _inner.ReleaseLock(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);

    public void Dispose() => (_inner as IDisposable)?.Dispose();
}
