using System.Diagnostics;
using StackExchange.Redis;
using WamsGateway.TrafficPolicy;

namespace WamsGateway.Tests.TrafficPolicy;

/// <summary>
/// Another writer to Redis plants state at the exact key a Fleet policy counts a partition in: state dated in the
/// future, counters without an expiry or with a huge count, another Redis type, unreadable numbers. Whatever it plants,
/// the partition refuses at most until its window ends, the key expires within the window after one request, and no
/// request fails or falls back to counting in process. Short windows (1 s), a real redis-server.
/// </summary>
public sealed class FleetRateLimitPlantedStateTests : IClassFixture<FleetRateLimitRedis>
{
    private const string Partition = "u:default\nauth0|planted-user";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>How late "within the window" may be observed: polling, scheduling, a loaded machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a test waits for a locked partition before it fails: long past any window here.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(6);

    private readonly FleetRateLimitRedis _f;

    public FleetRateLimitPlantedStateTests(FleetRateLimitRedis redis) => _f = redis;

    [Theory]
    [InlineData(null)]
    [InlineData(86_400)]
    public async Task FixedWindow_AHugeCountWithoutExpiryOrWithALongOne_IsAnEndedWindow(int? expirySeconds)
    {
        var policy = $"fw-huge-{expirySeconds}";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.FixedWindow(3, Window));
        var key = _f.Key(policy, Partition);
        await _f.Raw.StringSetAsync(key, "999999999999");
        if (expirySeconds is { } seconds)
        {
            await _f.Raw.KeyExpireAsync(key, TimeSpan.FromSeconds(seconds));
        }

        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
        await AssertExpiresWithinAsync(key, Window);
        Assert.Equal("1", (string?)await _f.Raw.StringGetAsync(key));
        Assert.False(limiter.FallingBack);
    }

    [Fact]
    public async Task FixedWindow_ACountOverTheLimitWithinTheWindow_IsCapped_AndRefusesNoLongerThanTheWindow()
    {
        const string policy = "fw-over";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.FixedWindow(3, Window));
        var key = _f.Key(policy, Partition);
        var planted = Stopwatch.GetTimestamp();
        await _f.Raw.StringSetAsync(key, "999999999999");
        await _f.Raw.KeyExpireAsync(key, Window);

        using (var refused = await limiter.AcquireAsync(Partition, CancellationToken.None))
        {
            Assert.False(refused.IsAcquired);
            Assert.InRange(FleetRateLimitRedis.RetryAfter(refused)!.Value, TimeSpan.Zero, Window);
        }

        Assert.Equal("3", (string?)await _f.Raw.StringGetAsync(key));
        await AssertExpiresWithinAsync(key, Window);
        Assert.True(await FleetRateLimitRedis.UsableAgainAsync(limiter, Partition, planted, Deadline) <= Window + Slack);
    }

    [Theory]
    [InlineData("not a number")]
    [InlineData("nan")]
    [InlineData("-inf")]
    [InlineData("-5")]
    [InlineData("hash")]
    [InlineData("zset")]
    public async Task FixedWindow_AnUnreadableCountOrAnotherType_IsEmpty(string planted)
    {
        var policy = $"fw-garbage-{planted.Replace(' ', '-')}";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.FixedWindow(3, Window));
        var key = _f.Key(policy, Partition);
        await PlantAsync(key, planted, () => _f.Raw.StringSetAsync(key, planted));

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
        }

        Assert.False(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
        Assert.Equal(RedisType.String, await _f.Raw.KeyTypeAsync(key));
        await AssertExpiresWithinAsync(key, Window);
        Assert.False(limiter.FallingBack);
    }

    [Fact]
    public async Task SlidingWindow_MembersDatedFarAhead_AreRemoved()
    {
        const string policy = "sw-far-ahead";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.SlidingWindow(3, Window));
        var key = _f.Key(policy, Partition);
        var now = await _f.RedisNowAsync();
        await _f.Raw.SortedSetAddAsync(key, [.. Enumerable.Range(0, 50).Select(i => new SortedSetEntry($"planted-{i}", now + TimeSpan.FromDays(365).TotalMilliseconds))]);
        await _f.Raw.SortedSetAddAsync(key, "planted-forever", double.PositiveInfinity);

        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
        Assert.Equal(1, await _f.Raw.SortedSetLengthAsync(key));
        await AssertExpiresWithinAsync(key, Window);
    }

    [Fact]
    public async Task SlidingWindow_MembersDatedJustAhead_CountNoLongerThanTheWindow()
    {
        // Within the skew allowance (a failover to a replica whose clock is behind): counted, but from now.
        const string policy = "sw-just-ahead";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.SlidingWindow(3, Window));
        var key = _f.Key(policy, Partition);
        var planted = Stopwatch.GetTimestamp();
        var now = await _f.RedisNowAsync();
        await _f.Raw.SortedSetAddAsync(key, [.. Enumerable.Range(0, 10).Select(i => new SortedSetEntry($"planted-{i}", now + 900))]);

        using (var refused = await limiter.AcquireAsync(Partition, CancellationToken.None))
        {
            Assert.False(refused.IsAcquired);
            Assert.InRange(FleetRateLimitRedis.RetryAfter(refused)!.Value, TimeSpan.Zero, Window);
        }

        Assert.Equal(3, await _f.Raw.SortedSetLengthAsync(key));
        await AssertExpiresWithinAsync(key, Window);
        Assert.True(await FleetRateLimitRedis.UsableAgainAsync(limiter, Partition, planted, Deadline) <= Window + Slack);
    }

    [Theory]
    [InlineData("string")]
    [InlineData("hash")]
    [InlineData("list")]
    public async Task SlidingWindow_AnotherTypeAtTheKey_IsReplaced(string planted)
    {
        var policy = $"sw-type-{planted}";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.SlidingWindow(3, Window));
        var key = _f.Key(policy, Partition);
        await PlantAsync(key, planted, () => _f.Raw.StringSetAsync(key, "planted"));

        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
        Assert.Equal(RedisType.SortedSet, await _f.Raw.KeyTypeAsync(key));
        await AssertExpiresWithinAsync(key, Window);
        Assert.False(limiter.FallingBack);
    }

    [Fact]
    public async Task TokenBucket_AnEmptyBucketDatedFarAhead_IsAFullBucket()
    {
        const string policy = "tb-far-ahead";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.TokenBucket(3, 1, Window));
        var key = _f.Key(policy, Partition);
        var now = await _f.RedisNowAsync();
        await _f.Raw.HashSetAsync(key, [new("tokens", 0), new("at", now + (long)TimeSpan.FromDays(365).TotalMilliseconds)]);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
        }

        // Empty now: it expires when it would be full again, three periods.
        await AssertExpiresWithinAsync(key, 3 * Window);
        Assert.False(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
    }

    [Fact]
    public async Task TokenBucket_AnEmptyBucketDatedJustAhead_RefusesNoLongerThanOnePeriod()
    {
        const string policy = "tb-just-ahead";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.TokenBucket(3, 1, Window));
        var key = _f.Key(policy, Partition);
        var planted = Stopwatch.GetTimestamp();
        var now = await _f.RedisNowAsync();
        await _f.Raw.HashSetAsync(key, [new("tokens", 0), new("at", now + 900)]);
        await _f.Raw.KeyExpireAsync(key, TimeSpan.FromDays(1));

        using (var refused = await limiter.AcquireAsync(Partition, CancellationToken.None))
        {
            Assert.False(refused.IsAcquired);
            Assert.InRange(FleetRateLimitRedis.RetryAfter(refused)!.Value, TimeSpan.Zero, Window);
        }

        await AssertExpiresWithinAsync(key, 3 * Window);
        Assert.True(await FleetRateLimitRedis.UsableAgainAsync(limiter, Partition, planted, Deadline) <= Window + Slack);
    }

    [Theory]
    [InlineData("lots", "yesterday")]
    [InlineData("nan", "0")]
    [InlineData("0", "inf")]
    [InlineData("-5", "0")]
    [InlineData("0", "-1")]
    [InlineData("string", null)]
    [InlineData("zset", null)]
    public async Task TokenBucket_UnreadableNumbersOrAnotherType_AreAFullBucket(string tokens, string? at)
    {
        var policy = $"tb-garbage-{tokens}-{at}";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.TokenBucket(3, 1, Window));
        var key = _f.Key(policy, Partition);
        await PlantAsync(key, tokens, () => _f.Raw.HashSetAsync(key, [new("tokens", tokens), new("at", at)]));

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
        }

        Assert.False(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
        Assert.Equal(RedisType.Hash, await _f.Raw.KeyTypeAsync(key));
        await AssertExpiresWithinAsync(key, 3 * Window);
        Assert.False(limiter.FallingBack);
    }

    [Fact]
    public async Task Concurrency_LeasesDatedFarAhead_AreRemoved()
    {
        const string policy = "cc-far-ahead";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.Concurrency(2), leaseLifetime: Window);
        var key = _f.Key(policy, Partition);
        var now = await _f.RedisNowAsync();
        await _f.Raw.SortedSetAddAsync(key, [.. Enumerable.Range(0, 20).Select(i => new SortedSetEntry($"planted-{i}", now + TimeSpan.FromDays(365).TotalMilliseconds))]);

        using var first = await limiter.AcquireAsync(Partition, CancellationToken.None);
        using var second = await limiter.AcquireAsync(Partition, CancellationToken.None);

        Assert.True(first.IsAcquired);
        Assert.True(second.IsAcquired);
        Assert.Equal(2, await _f.Raw.SortedSetLengthAsync(key));
        await AssertExpiresWithinAsync(key, Window);
    }

    [Fact]
    public async Task Concurrency_LeasesDatedJustPastTheirLifetime_LapseWithinTheLifetime()
    {
        const string policy = "cc-just-ahead";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.Concurrency(2), leaseLifetime: Window);
        var key = _f.Key(policy, Partition);
        var planted = Stopwatch.GetTimestamp();
        var now = await _f.RedisNowAsync();
        await _f.Raw.SortedSetAddAsync(key, [.. Enumerable.Range(0, 5).Select(i => new SortedSetEntry($"planted-{i}", now + Window.TotalMilliseconds + 900))]);

        Assert.False(await FleetRateLimitRedis.AcquiresAsync(limiter, Partition));
        Assert.Equal(2, await _f.Raw.SortedSetLengthAsync(key));
        await AssertExpiresWithinAsync(key, Window);
        Assert.True(await FleetRateLimitRedis.UsableAgainAsync(limiter, Partition, planted, Deadline) <= Window + Slack);
    }

    [Theory]
    [InlineData("string")]
    [InlineData("hash")]
    public async Task Concurrency_AnotherTypeAtTheKey_IsReplaced(string planted)
    {
        var policy = $"cc-type-{planted}";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.Concurrency(2), leaseLifetime: Window);
        var key = _f.Key(policy, Partition);
        await PlantAsync(key, planted, () => _f.Raw.StringSetAsync(key, "planted"));

        using var lease = await limiter.AcquireAsync(Partition, CancellationToken.None);

        Assert.True(lease.IsAcquired);
        Assert.Equal(RedisType.SortedSet, await _f.Raw.KeyTypeAsync(key));
        await AssertExpiresWithinAsync(key, Window);
        Assert.False(limiter.FallingBack);
    }

    /// <summary>The key expires, and no later than <paramref name="longest"/> from now.</summary>
    private async Task AssertExpiresWithinAsync(string key, TimeSpan longest)
    {
        var ttl = await _f.TtlAsync(key);
        Assert.True(ttl is { } t && t > TimeSpan.Zero && t <= longest, $"{key} expires in {ttl?.ToString() ?? "never"}, not within {longest}.");
    }

    /// <summary>Another Redis type for the names that say so; otherwise <paramref name="otherwise"/>.</summary>
    private async Task PlantAsync(string key, string kind, Func<Task> otherwise)
    {
        switch (kind)
        {
            case "string":
                await _f.Raw.StringSetAsync(key, "planted");
                break;
            case "hash":
                await _f.Raw.HashSetAsync(key, "planted", "999999");
                break;
            case "zset":
                await _f.Raw.SortedSetAddAsync(key, "planted", 1);
                break;
            case "list":
                await _f.Raw.ListRightPushAsync(key, "planted");
                break;
            default:
                await otherwise();
                break;
        }
    }
}
