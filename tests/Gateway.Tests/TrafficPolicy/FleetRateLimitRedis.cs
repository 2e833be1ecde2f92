using System.Diagnostics;
using System.Threading.RateLimiting;
using StackExchange.Redis;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;
using WamsGateway.TrafficPolicy;

namespace WamsGateway.Tests.TrafficPolicy;

/// <summary>
/// One real redis-server, two gateway connections to it (two replicas' <see cref="GatewayRateLimiter"/>s, as the
/// gateway builds them) and a third, raw connection for whoever else writes to Redis.
/// </summary>
public sealed class FleetRateLimitRedis : IAsyncLifetime
{
    public const string KeyPrefix = "planted:";

    public RedisServer Redis { get; private set; } = null!;

    /// <summary>The first replica's connection.</summary>
    public ConnectionMultiplexer First { get; private set; } = null!;

    /// <summary>The second replica's connection.</summary>
    public ConnectionMultiplexer Second { get; private set; } = null!;

    /// <summary>Another client of the same Redis: what an attacker with write access, or a careless script, holds.</summary>
    public ConnectionMultiplexer Writer { get; private set; } = null!;

    /// <summary>The fleet's fingerprint key, which Redis never sees.</summary>
    public byte[] HashKey { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    public CapturingLoggerProvider Logs { get; } = new();

    public IDatabase Raw => Writer.GetDatabase();

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        First = await ConnectionMultiplexer.ConnectAsync(Redis.Configuration);
        Second = await ConnectionMultiplexer.ConnectAsync(Redis.Configuration);
        Writer = await ConnectionMultiplexer.ConnectAsync(Redis.Configuration + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        await Writer.DisposeAsync();
        await Second.DisposeAsync();
        await First.DisposeAsync();
        await Redis.DisposeAsync();
    }

    /// <summary>A Fleet policy as the gateway builds it, on <paramref name="replica"/> (the first by default).</summary>
    internal GatewayRateLimiter Limiter(string policy, RateLimitSettings settings, TimeProvider? time = null, TimeSpan? leaseLifetime = null,
        IConnectionMultiplexer? replica = null, TimeSpan? redisTimeout = null)
    {
        settings.Scope = RateLimitScope.Fleet;
        return new GatewayRateLimiter(policy, settings, replica ?? First, KeyPrefix, HashKey, redisTimeout ?? TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30),
            time ?? TimeProvider.System, Logs.CreateLogger(typeof(GatewayRateLimiter).FullName!), leaseLifetime);
    }

    /// <summary>The key the gateway counts <paramref name="partition"/> of <paramref name="policy"/> in.</summary>
    internal string Key(string policy, string partition) => GatewayRateLimiter.RedisKey(KeyPrefix, policy, HashKey, partition);

    /// <summary>Redis's clock, in Unix milliseconds: what the scripts date their entries with.</summary>
    public async Task<long> RedisNowAsync() =>
        new DateTimeOffset(await Writer.GetServer(Writer.GetEndPoints()[0]).TimeAsync(), TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>The key's remaining lifetime; null when it has no expiry (or does not exist).</summary>
    public async Task<TimeSpan?> TtlAsync(string key) => await Raw.KeyTimeToLiveAsync(key);

    /// <summary>One acquire; the lease is released at once.</summary>
    internal static async Task<bool> AcquiresAsync(GatewayRateLimiter limiter, string partition)
    {
        using var lease = await limiter.AcquireAsync(partition, CancellationToken.None);
        return lease.IsAcquired;
    }

    /// <summary>
    /// Polls until the partition grants a permit (failing after <paramref name="deadline"/>) and returns how long
    /// that took from <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    internal static async Task<TimeSpan> UsableAgainAsync(GatewayRateLimiter limiter, string partition, long since, TimeSpan deadline)
    {
        try
        {
            await Eventually.ReturnsAsync(() => AcquiresAsync(limiter, partition), acquired => acquired, deadline);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The partition still refused {Stopwatch.GetElapsedTime(since).TotalSeconds:0.0} s after the state was planted.");
        }

        return Stopwatch.GetElapsedTime(since);
    }

    internal static RateLimitSettings FixedWindow(int permits, TimeSpan window) => new() { Algorithm = RateLimitAlgorithm.FixedWindow, PermitLimit = permits, Window = window };

    internal static RateLimitSettings SlidingWindow(int permits, TimeSpan window) => new() { Algorithm = RateLimitAlgorithm.SlidingWindow, PermitLimit = permits, Window = window };

    internal static RateLimitSettings TokenBucket(int tokens, int perPeriod, TimeSpan period) =>
        new() { Algorithm = RateLimitAlgorithm.TokenBucket, PermitLimit = tokens, TokensPerPeriod = perPeriod, ReplenishmentPeriod = period };

    internal static RateLimitSettings Concurrency(int permits) => new() { Algorithm = RateLimitAlgorithm.Concurrency, PermitLimit = permits };

    /// <summary>The refused lease's <c>Retry-After</c>, as <see cref="RateLimitRefusal"/> reads it.</summary>
    internal static TimeSpan? RetryAfter(RateLimitLease lease) => lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;
}
