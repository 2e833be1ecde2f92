using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.TestSupport;
using WamsGateway.TrafficPolicy;

namespace WamsGateway.Tests.TrafficPolicy;

/// <summary>
/// A Fleet FixedWindow limit with a <see cref="RateLimitSettings.SyncInterval"/>, in a real redis-server: each replica
/// counts in process and settles with Redis at the interval (here, when the test says so, or on the timer).
/// </summary>
public sealed class SyncedFleetRateLimitTests : IClassFixture<FleetRateLimitRedis>
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(1);
    private readonly FleetRateLimitRedis _f;

    public SyncedFleetRateLimitTests(FleetRateLimitRedis redis) => _f = redis;

    [Fact]
    public async Task Acquires_NeverCallRedis_AndTwoReplicasSettleTheFleetsCount_OvershootingByOneIntervalsShareAtMost()
    {
        const string policy = "synced";
        const string partition = "u:default\nsynced";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var first = _f.Limiter(policy, Synced(10), time, replica: _f.First);
        await using var second = _f.Limiter(policy, Synced(10), time, replica: _f.Second);
        var scripts = await CallsAsync("eval") + await CallsAsync("evalsha");

        Assert.Equal(6, await GrantedAsync(first, partition, 6));
        Assert.Equal(scripts, await CallsAsync("eval") + await CallsAsync("evalsha"));

        await first.Synced!.SyncAsync();
        var key = await WindowKeyAsync(policy, partition);
        Assert.Equal(6, (long)await _f.Raw.StringGetAsync(key));

        // The second replica has not settled this partition yet: it counts from zero, then learns the fleet's 7.
        Assert.Equal(1, await GrantedAsync(second, partition, 1));
        await second.Synced!.SyncAsync();
        Assert.Equal(7, (long)await _f.Raw.StringGetAsync(key));
        Assert.Equal(3, await GrantedAsync(second, partition, 5));

        // The first learns 7 and admits 3 more; the second's 3 are not in Redis yet: the fleet admits 13.
        await first.Synced.SyncAsync();
        Assert.Equal(3, await GrantedAsync(first, partition, 5));
        await second.Synced.SyncAsync();
        await first.Synced.SyncAsync();
        Assert.Equal(13, (long)await _f.Raw.StringGetAsync(key));
        Assert.InRange((await _f.TtlAsync(key))!.Value, TimeSpan.FromMilliseconds(1), 2 * Window);

        foreach (var limiter in new[] { first, second })
        {
            using var refused = await limiter.AcquireAsync(partition, CancellationToken.None);
            Assert.False(refused.IsAcquired);
            Assert.InRange(FleetRateLimitRedis.RetryAfter(refused)!.Value, TimeSpan.FromMilliseconds(1), Window);
        }

        Assert.False(first.FallingBack || second.FallingBack);
    }

    [Fact]
    public async Task ANewWindow_StartsAFreshCount_AndPartitionsOfEndedWindowsAreForgotten()
    {
        const string policy = "synced-windows";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var limiter = _f.Limiter(policy, Synced(2), time);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(2, await GrantedAsync(limiter, $"u:default\nwindows-{i}", 3));
        }

        await limiter.Synced!.SyncAsync();
        Assert.Equal(50, limiter.Synced.Partitions);

        time.Advance(Window);
        Assert.Equal(2, await GrantedAsync(limiter, "u:default\nwindows-0", 3));
        await limiter.Synced.SyncAsync();
        Assert.Equal(1, limiter.Synced.Partitions);
    }

    [Fact]
    public async Task RedisTooSlow_TheReplicaCountsAlone_ThenSettlesWhatItGranted()
    {
        const string policy = "synced-slow";
        const string partition = "u:default\nsynced-slow";
        await using var limiter = _f.Limiter(policy, Synced(5), TimeProvider.System, redisTimeout: TimeSpan.FromMilliseconds(200));
        Assert.Equal(2, await GrantedAsync(limiter, partition, 2));

        // Redis busy for 1 s with a script sent ahead on the same connection: the sync gives up after 200 ms.
        var busy = _f.First.GetDatabase().ScriptEvaluateAsync("""
            local function now() local t = redis.call('TIME') return t[1] * 1000000 + t[2] end
            local start = now()
            while now() - start < 1000000 do end
            return 1
            """);
        await limiter.Synced!.SyncAsync();
        Assert.True(limiter.FallingBack);

        // Alone, it still never admits more than the limit.
        Assert.Equal(3, await GrantedAsync(limiter, partition, 10));
        await busy;

        await limiter.Synced.SyncAsync();
        Assert.False(limiter.FallingBack);
        Assert.Equal(5, (long)await _f.Raw.StringGetAsync(await WindowKeyAsync(policy, partition)));
        Assert.Equal(1, _f.Logs.Lines.Count(l => l.Contains($"Rate limit {policy} counts in this process", StringComparison.Ordinal)));
        Assert.Equal(1, _f.Logs.Lines.Count(l => l.Contains($"Rate limit {policy} counts in Redis again", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheTimer_SettlesAtTheInterval()
    {
        const string policy = "synced-timer";
        const string partition = "u:default\nsynced-timer";
        await using var limiter = _f.Limiter(policy, Synced(10, TimeSpan.FromMilliseconds(50)), TimeProvider.System);
        Assert.Equal(4, await GrantedAsync(limiter, partition, 4));

        var key = await WindowKeyAsync(policy, partition);
        Assert.Equal(4, await Eventually.ReturnsAsync(async () => (long)await _f.Raw.StringGetAsync(key), n => n == 4, TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("not a number")]
    [InlineData("-5")]
    public async Task AnUnreadableCountAtTheWindowsKey_IsZero_AndReported(string planted)
    {
        var policy = $"synced-planted-{planted.Length}";
        const string partition = "u:default\nsynced-planted";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var limiter = _f.Limiter(policy, Synced(3), time);
        Assert.Equal(1, await GrantedAsync(limiter, partition, 1));
        var key = await WindowKeyAsync(policy, partition);
        await _f.Raw.StringSetAsync(key, planted);

        await limiter.Synced!.SyncAsync();

        Assert.Equal(1, (long)await _f.Raw.StringGetAsync(key));
        Assert.Equal(2, await GrantedAsync(limiter, partition, 5));
        Assert.Contains(_f.Logs.Lines, l => l.Contains($"Rate limit {policy} found state in Redis", StringComparison.Ordinal) && l.Contains("an unreadable number", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHugeCountPlantedWithoutExpiry_RefusesOnlyUntilTheWindowEnds_AndIsGivenOne()
    {
        const string policy = "synced-huge";
        const string partition = "u:default\nsynced-huge";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var limiter = _f.Limiter(policy, Synced(3), time);
        Assert.Equal(1, await GrantedAsync(limiter, partition, 1));
        var key = await WindowKeyAsync(policy, partition);
        await _f.Raw.StringSetAsync(key, long.MaxValue / 2);

        await limiter.Synced!.SyncAsync();

        using (var refused = await limiter.AcquireAsync(partition, CancellationToken.None))
        {
            Assert.False(refused.IsAcquired);
            Assert.InRange(FleetRateLimitRedis.RetryAfter(refused)!.Value, TimeSpan.FromMilliseconds(1), Window);
        }

        Assert.InRange((await _f.TtlAsync(key))!.Value, TimeSpan.FromMilliseconds(1), 2 * Window);
        time.Advance(Window);
        Assert.Equal(3, await GrantedAsync(limiter, partition, 5));
    }

    private static RateLimitSettings Synced(int permits, TimeSpan? interval = null)
    {
        var settings = FleetRateLimitRedis.FixedWindow(permits, Window);
        settings.SyncInterval = interval ?? TimeSpan.FromMinutes(1);
        return settings;
    }

    private static async Task<int> GrantedAsync(GatewayRateLimiter limiter, string partition, int attempts)
    {
        var granted = 0;
        for (var i = 0; i < attempts; i++)
        {
            granted += await FleetRateLimitRedis.AcquiresAsync(limiter, partition) ? 1 : 0;
        }

        return granted;
    }

    /// <summary>The key of the window Redis's clock is in now: the partition's key and the window's number.</summary>
    private async Task<string> WindowKeyAsync(string policy, string partition) =>
        _f.Key(policy, partition) + ":" + (await _f.RedisNowAsync() / (long)Window.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private async Task<long> CallsAsync(string command)
    {
        var info = await _f.Writer.GetServer(_f.Writer.GetEndPoints()[0]).InfoRawAsync("commandstats") ?? string.Empty;
        var line = info.Split('\n').FirstOrDefault(l => l.StartsWith($"cmdstat_{command}:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture);
    }
}
