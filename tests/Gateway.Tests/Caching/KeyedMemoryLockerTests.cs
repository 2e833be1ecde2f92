using WamsGateway.Caching;

namespace WamsGateway.Tests.Caching;

/// <summary>The delegation cache's in-process lock: one holder per key, other keys free, nothing kept after.</summary>
public sealed class KeyedMemoryLockerTests
{
    private const string Key = "delegation:orders:fingerprint:owner";

    [Fact]
    public async Task A_key_held_is_not_acquired_again_until_released()
    {
        using var locker = new KeyedMemoryLocker();

        var held = await locker.AcquireLockAsync("c", "i", "op1", Key, Timeout.InfiniteTimeSpan, null, CancellationToken.None);
        Assert.NotNull(held);
        var waiting = locker.AcquireLockAsync("c", "i", "op2", Key, Timeout.InfiniteTimeSpan, null, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Null(await locker.AcquireLockAsync("c", "i", "op3", Key, TimeSpan.Zero, null, CancellationToken.None));

        locker.ReleaseLock("c", "i", "op1", Key, held, null);
        var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(next);
        locker.ReleaseLock("c", "i", "op2", Key, next, null);

        Assert.Equal(0, locker.Count);
    }

    [Fact]
    public async Task Another_key_is_never_held_up_by_a_held_one()
    {
        using var locker = new KeyedMemoryLocker();
        var held = await locker.AcquireLockAsync("c", "i", "op1", Key, Timeout.InfiniteTimeSpan, null, CancellationToken.None);

        // Whatever the keys' hashes: a zero timeout would fail if any other key shared the held lock.
        for (var i = 0; i < 10_000; i++)
        {
            var other = $"delegation:orders:fingerprint:user-{i}";
            var acquired = await locker.AcquireLockAsync("c", "i", "op", other, TimeSpan.Zero, null, CancellationToken.None);
            Assert.NotNull(acquired);
            locker.ReleaseLock("c", "i", "op", other, acquired, null);
        }

        locker.ReleaseLock("c", "i", "op1", Key, held, null);
    }

    [Fact]
    public async Task Nothing_is_kept_for_keys_no_one_holds_or_waits_for()
    {
        using var locker = new KeyedMemoryLocker();
        using var cancelled = new CancellationTokenSource();
        var held = locker.AcquireLock("c", "i", "op1", Key, Timeout.InfiniteTimeSpan, null, CancellationToken.None);

        // A waiter that times out and one that is cancelled leave nothing behind either.
        Assert.Null(locker.AcquireLock("c", "i", "op2", Key, TimeSpan.Zero, null, CancellationToken.None));
        var cancelledWaiter = locker.AcquireLockAsync("c", "i", "op3", Key, Timeout.InfiniteTimeSpan, null, cancelled.Token).AsTask();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledWaiter);
        for (var i = 0; i < 1_000; i++)
        {
            var other = $"user-{i}";
            locker.ReleaseLock("c", "i", "op", other, locker.AcquireLock("c", "i", "op", other, TimeSpan.Zero, null, CancellationToken.None), null);
        }

        Assert.Equal(1, locker.Count);
        locker.ReleaseLock("c", "i", "op1", Key, held, null);
        Assert.Equal(0, locker.Count);
    }
}
