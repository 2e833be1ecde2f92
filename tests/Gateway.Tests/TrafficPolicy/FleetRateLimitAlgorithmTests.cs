using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.TestSupport;
using WamsGateway.TrafficPolicy;

namespace WamsGateway.Tests.TrafficPolicy;

/// <summary>The four algorithms as Fleet limits in a real redis-server, each counted by two replicas together.</summary>
public sealed class FleetRateLimitAlgorithmTests : IClassFixture<FleetRateLimitRedis>
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(6);
    private readonly FleetRateLimitRedis _f;

    public FleetRateLimitAlgorithmTests(FleetRateLimitRedis redis) => _f = redis;

    [Theory]
    [InlineData(nameof(RateLimitAlgorithm.FixedWindow))]
    [InlineData(nameof(RateLimitAlgorithm.SlidingWindow))]
    [InlineData(nameof(RateLimitAlgorithm.TokenBucket))]
    [InlineData(nameof(RateLimitAlgorithm.Concurrency))]
    public async Task TwoReplicas_GrantExactlyTheLimitTogether_UnderConcurrentLoad(string algorithm)
    {
        var policy = $"exact-{algorithm}";
        RateLimitSettings Settings() => Enum.Parse<RateLimitAlgorithm>(algorithm) switch
        {
            RateLimitAlgorithm.SlidingWindow => FleetRateLimitRedis.SlidingWindow(40, TimeSpan.FromMinutes(10)),
            RateLimitAlgorithm.TokenBucket => FleetRateLimitRedis.TokenBucket(40, 1, TimeSpan.FromMinutes(10)),
            RateLimitAlgorithm.Concurrency => FleetRateLimitRedis.Concurrency(40),
            _ => FleetRateLimitRedis.FixedWindow(40, TimeSpan.FromMinutes(10)),
        };
        await using var first = _f.Limiter(policy, Settings(), replica: _f.First);
        await using var second = _f.Limiter(policy, Settings(), replica: _f.Second);

        // Leases are held to the end, so a Concurrency limit counts them all at once too.
        var leases = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => (i % 2 == 0 ? first : second).AcquireAsync("u:default\nexact", CancellationToken.None).AsTask()));

        Assert.Equal(40, leases.Count(l => l.IsAcquired));
        Assert.False(first.FallingBack || second.FallingBack);
        foreach (var lease in leases)
        {
            lease.Dispose();
        }
    }

    [Fact]
    public async Task FixedWindow_RefusesWithRetryAfterUntilTheWindowEnds()
    {
        await using var limiter = _f.Limiter("fixed", FleetRateLimitRedis.FixedWindow(2, Window));
        const string partition = "u:default\nfixed";
        var started = Stopwatch.GetTimestamp();
        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, partition));
        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, partition));

        using (var refused = await limiter.AcquireAsync(partition, CancellationToken.None))
        {
            Assert.False(refused.IsAcquired);
            Assert.InRange(FleetRateLimitRedis.RetryAfter(refused)!.Value, TimeSpan.FromMilliseconds(1), Window);
        }

        Assert.True(await FleetRateLimitRedis.UsableAgainAsync(limiter, partition, started, Deadline) <= Window + Slack);
    }

    [Fact]
    public async Task SlidingWindow_RefusesWithRetryAfter_UntilTheOldestPermitAgesOut()
    {
        await using var limiter = _f.Limiter("sliding", FleetRateLimitRedis.SlidingWindow(2, Window));
        const string partition = "u:default\nsliding";
        var started = Stopwatch.GetTimestamp();
        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, partition));
        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, partition));

        using (var refused = await limiter.AcquireAsync(partition, CancellationToken.None))
        {
            Assert.False(refused.IsAcquired);
            Assert.InRange(FleetRateLimitRedis.RetryAfter(refused)!.Value, TimeSpan.FromMilliseconds(1), Window);
        }

        Assert.True(await FleetRateLimitRedis.UsableAgainAsync(limiter, partition, started, Deadline) <= Window + Slack);
        Assert.InRange(await _f.Raw.SortedSetLengthAsync(_f.Key("sliding", partition)), 1, 2);
    }

    [Fact]
    public async Task TokenBucket_RefillsTokensPerPeriod_AndExpiresWhenFull()
    {
        await using var limiter = _f.Limiter("bucket", FleetRateLimitRedis.TokenBucket(2, 1, Window));
        const string partition = "u:default\nbucket";
        var key = _f.Key("bucket", partition);
        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, partition));
        var emptied = Stopwatch.GetTimestamp();
        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, partition));

        using (var refused = await limiter.AcquireAsync(partition, CancellationToken.None))
        {
            Assert.False(refused.IsAcquired);
            Assert.InRange(FleetRateLimitRedis.RetryAfter(refused)!.Value, TimeSpan.FromMilliseconds(1), Window);
        }

        Assert.InRange((await _f.TtlAsync(key))!.Value, TimeSpan.FromMilliseconds(1), 2 * Window);
        Assert.True(await FleetRateLimitRedis.UsableAgainAsync(limiter, partition, emptied, Deadline) <= Window + Slack);
    }

    [Fact]
    public async Task Concurrency_ReleasingALease_FreesItsPermit_AndOneNeverReleasedLapsesWithinItsLifetime()
    {
        await using var limiter = _f.Limiter("concurrency", FleetRateLimitRedis.Concurrency(1), leaseLifetime: Window);
        const string partition = "u:default\nconcurrency";
        using (var held = await limiter.AcquireAsync(partition, CancellationToken.None))
        {
            Assert.True(held.IsAcquired);
            using var refused = await limiter.AcquireAsync(partition, CancellationToken.None);
            Assert.False(refused.IsAcquired);
        }

        // Released without waiting for Redis (fire and forget): free once the ZREM has run.
        await Eventually.ReturnsAsync(() => FleetRateLimitRedis.AcquiresAsync(limiter, partition), acquired => acquired, Deadline);

        // A replica that crashed holding a lease never releases it: it lapses after the lifetime.
        var crashed = await limiter.AcquireAsync(partition, CancellationToken.None);
        var started = Stopwatch.GetTimestamp();
        Assert.True(crashed.IsAcquired);
        Assert.False(await FleetRateLimitRedis.AcquiresAsync(limiter, partition));
        Assert.True(await FleetRateLimitRedis.UsableAgainAsync(limiter, partition, started, Deadline) <= Window + Slack);
    }

    [Fact]
    public async Task ALeaseRedisGrantsAfterTheWaitGaveUp_IsReleasedAtOnce()
    {
        // Redis busy for 1 s with a script sent ahead on the same connection: the acquire's script waits behind
        // it, the gateway gives up after 200 ms (and counts in process), and Redis grants the lease after all.
        const string policy = "late-lease";
        const string partition = "u:default\nlate-lease";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.Concurrency(1), redisTimeout: TimeSpan.FromMilliseconds(200));
        var releases = await CallsAsync("zrem");
        var busy = _f.First.GetDatabase().ScriptEvaluateAsync("""
            local function now() local t = redis.call('TIME') return t[1] * 1000000 + t[2] end
            local start = now()
            while now() - start < 1000000 do end
            return 1
            """);

        using (var lease = await limiter.AcquireAsync(partition, CancellationToken.None))
        {
            Assert.True(lease.IsAcquired);
            Assert.True(limiter.FallingBack);
        }

        await busy;
        await _f.First.GetDatabase().PingAsync();
        await Eventually.ReturnsAsync(() => CallsAsync("zrem"), calls => calls == releases + 1, Deadline);
        Assert.Equal(0, await _f.Raw.SortedSetLengthAsync(_f.Key(policy, partition)));
    }

    [Fact]
    public async Task EachAcquire_IsOneScriptCall_SentByItsHashOnceRedisKnowsIt()
    {
        await using var limiter = _f.Limiter("round-trips", FleetRateLimitRedis.SlidingWindow(1000, TimeSpan.FromMinutes(1)));
        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, "u:default\nround-trips"));
        var (evals, evalShas) = await ScriptCallsAsync();

        for (var i = 0; i < 20; i++)
        {
            Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, $"u:default\nround-trips-{i}"));
        }

        var (evalsAfter, evalShasAfter) = await ScriptCallsAsync();
        Assert.Equal(evals, evalsAfter);
        Assert.Equal(evalShas + 20, evalShasAfter);
    }

    [Fact]
    public async Task PlantedState_IsReported_WithFixedWordsOnly_AtMostOnceAMinute()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        const string policy = "reported";
        await using var limiter = _f.Limiter(policy, FleetRateLimitRedis.SlidingWindow(3, Window), time);
        const string hostile = "\u001b[2J\r\nfake log line: admin logged in";

        for (var i = 0; i < 3; i++)
        {
            await _f.Raw.StringSetAsync(_f.Key(policy, $"u:default\nreported-{i}"), hostile);
            Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, $"u:default\nreported-{i}"));
        }

        time.Advance(TimeSpan.FromMinutes(1));
        await _f.Raw.HashSetAsync(_f.Key(policy, "u:default\nreported-last"), "planted", hostile);
        Assert.True(await FleetRateLimitRedis.AcquiresAsync(limiter, "u:default\nreported-last"));

        var lines = _f.Logs.Lines.Where(l => l.Contains($"Rate limit {policy} found state in Redis", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains("(another Redis type; 1 time(s)", lines[0], StringComparison.Ordinal);
        Assert.Contains("(another Redis type; 3 time(s)", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(_f.Logs.Lines, l => l.Contains("fake log line", StringComparison.Ordinal) || l.Contains('\u001b', StringComparison.Ordinal));
    }

    private async Task<(long Eval, long EvalSha)> ScriptCallsAsync() => (await CallsAsync("eval"), await CallsAsync("evalsha"));

    /// <summary>How many times Redis has run <paramref name="command"/> (INFO commandstats).</summary>
    private async Task<long> CallsAsync(string command)
    {
        var info = (await _f.Writer.GetServer(_f.Writer.GetEndPoints()[0]).InfoAsync("commandstats")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        return info.TryGetValue($"cmdstat_{command}", out var stat) ? long.Parse(stat.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
