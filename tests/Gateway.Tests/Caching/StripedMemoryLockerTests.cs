using WamsGateway.Caching;

namespace WamsGateway.Tests.Caching;

/// <summary>The delegation cache's in-process lock: one holder per key at a time, from a fixed pool.</summary>
public sealed class StripedMemoryLockerTests
{
    [Fact]
    public async Task A_key_held_is_not_acquired_again_until_released()
    {
        using var locker = new StripedMemoryLocker(16);

        var held = await locker.AcquireLockAsync("c", "i", "op1", "delegation:orders:key", Timeout.InfiniteTimeSpan, null, CancellationToken.None);
        Assert.NotNull(held);

        var waiting = locker.AcquireLockAsync("c", "i", "op2", "delegation:orders:key", Timeout.InfiniteTimeSpan, null, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Null(await locker.AcquireLockAsync("c", "i", "op3", "delegation:orders:key", TimeSpan.Zero, null, CancellationToken.None));

        locker.ReleaseLock("c", "i", "op1", "delegation:orders:key", held, null);
        var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(held, next);
        locker.ReleaseLock("c", "i", "op2", "delegation:orders:key", next, null);
    }

    [Fact]
    public async Task Any_number_of_keys_share_the_fixed_pool()
    {
        using var locker = new StripedMemoryLocker(4);
        var locks = new HashSet<object>(ReferenceEqualityComparer.Instance);

        // 10,000 distinct keys, each taken and released: at most four distinct lock objects ever exist.
        for (var i = 0; i < 10_000; i++)
        {
            var key = $"delegation:orders:user-{i}";
            var held = await locker.AcquireLockAsync("c", "i", "op", key, TimeSpan.Zero, null, CancellationToken.None);
            Assert.NotNull(held);
            locks.Add(held);
            locker.ReleaseLock("c", "i", "op", key, held, null);
        }

        Assert.InRange(locks.Count, 1, 4);
    }

    [Fact]
    public void The_synchronous_path_times_out_on_a_held_key()
    {
        using var locker = new StripedMemoryLocker(1);
        var held = locker.AcquireLock("c", "i", "op1", "a", Timeout.InfiniteTimeSpan, null, CancellationToken.None);
        Assert.NotNull(held);

        Assert.Null(locker.AcquireLock("c", "i", "op2", "b", TimeSpan.Zero, null, CancellationToken.None));

        locker.ReleaseLock("c", "i", "op1", "a", held, null);
        Assert.NotNull(locker.AcquireLock("c", "i", "op3", "b", TimeSpan.Zero, null, CancellationToken.None));
    }
}
