using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.Caching;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// The Redis lock is taken only when it can be completed, and never held past the longest an exchange and
/// its write may take: FusionCache keeps a lock whose write to Redis failed, and Redis would renew it for
/// as long as the process runs.
/// </summary>
public sealed class ConnectionAwareDistributedLockerTests
{
    private static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(11);

    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLocker _inner = new();
    private bool _mayLock = true;

    [Fact]
    public async Task NoLockIsTaken_WhileALockCouldNotBeCompleted()
    {
        using var locker = Create();
        _mayLock = false;

        Assert.Null(await AcquireAsync(locker));
        Assert.Null(locker.AcquireLock("c", "i", "op", "k", "k:lock", TimeSpan.FromSeconds(5), null, CancellationToken.None));
        Assert.Equal(0, _inner.Acquired);
    }

    [Fact]
    public async Task ALockReleasedInTime_IsReleasedOnce()
    {
        using var locker = Create();
        var held = await AcquireAsync(locker);
        Assert.NotNull(held);

        await locker.ReleaseLockAsync("c", "i", "op", "k", "k:lock", held, null, CancellationToken.None);
        _time.Advance(MaxHold * 2);
        await locker.ReleaseLockAsync("c", "i", "op", "k", "k:lock", held, null, CancellationToken.None);

        Assert.Equal([_inner.Handle], _inner.Released);
    }

    [Fact]
    public async Task ALockHeldTooLong_IsReleasedHere_AndNotAgainByItsHolder()
    {
        using var locker = Create();
        var held = await AcquireAsync(locker);

        _time.Advance(MaxHold - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_inner.Released);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([_inner.Handle], _inner.Released);

        locker.ReleaseLock("c", "i", "op", "k", "k:lock", held, null, CancellationToken.None);
        Assert.Single(_inner.Released);
    }

    private ConnectionAwareDistributedLocker Create() =>
        new(_inner, () => _mayLock, MaxHold, _time, NullLogger<ConnectionAwareDistributedLocker>.Instance);

    private static async Task<object?> AcquireAsync(ConnectionAwareDistributedLocker locker) =>
        await locker.AcquireLockAsync("c", "i", "op", "k", "k:lock", TimeSpan.FromSeconds(5), null, CancellationToken.None);

    private sealed class RecordingLocker : IFusionCacheDistributedLocker
    {
        public object Handle { get; } = new();

        public int Acquired { get; private set; }

        public List<object?> Released { get; } = [];

        public ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token) =>
            ValueTask.FromResult(AcquireLock(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token));

        public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token)
        {
            Acquired++;
            return Handle;
        }

        public ValueTask ReleaseLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token)
        {
            ReleaseLock(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);
            return ValueTask.CompletedTask;
        }

        public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token)
        {
            lock (Released)
            {
                Released.Add(lockObj);
            }
        }
    }
}
