using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using StackExchange.Redis;
using WamsGateway.Observability;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// One named rate limit: its partitions counted in this process (<see cref="RateLimitScope.Replica"/>), or in Redis
/// across the fleet (<see cref="RateLimitScope.Fleet"/>, through <see cref="FleetRateLimiter"/>'s scripts). While Redis cannot
/// answer within the cache's operation timeout, a fleet limit counts in process instead (logged once per outage) and
/// leaves Redis alone for the circuit-breaker duration: no request fails because Redis is away. A Fleet FixedWindow
/// limit with a <see cref="RateLimitSettings.SyncInterval"/> counts in process and settles with Redis at that interval
/// (<see cref="SyncedFleetRateLimiter"/>).
/// </summary>
internal sealed partial class GatewayRateLimiter : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<string> _local;
    private readonly PartitionedRateLimiter<string>? _fleet;
    private readonly TimeSpan _redisTimeout;
    private readonly TimeSpan _breakDuration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _skipRedisUntil;
    private int _fallingBack;

    /// <param name="name">The policy's name.</param>
    /// <param name="settings">Its settings.</param>
    /// <param name="redis">The shared Redis connection, for a Fleet policy; null counts in process.</param>
    /// <param name="keyPrefix">Prefixes the policy's keys in Redis.</param>
    /// <param name="hashKey">Keys the hash that names a partition in Redis (<see cref="Caching.FingerprintKey"/>); null: plain SHA-256.</param>
    /// <param name="redisTimeout">The most a count waits for Redis.</param>
    /// <param name="breakDuration">How long Redis is left alone after it failed.</param>
    /// <param name="time">The clock the circuit runs on.</param>
    /// <param name="logger">Where the fallback, and state in Redis the scripts never write, are reported.</param>
    /// <param name="leaseLifetime">Concurrency in Redis: how long a lease never released counts; <see cref="FleetRateLimiter.DefaultLeaseLifetime"/> unless given.</param>
    /// <param name="meter">Counts the syncs of a limit with a SyncInterval.</param>
    public GatewayRateLimiter(string name, RateLimitSettings settings, IConnectionMultiplexer? redis, string keyPrefix, byte[]? hashKey,
        TimeSpan redisTimeout, TimeSpan breakDuration, TimeProvider time, ILogger logger, TimeSpan? leaseLifetime = null, GatewayMeter? meter = null)
    {
        Name = name;
        Settings = settings;
        redis = settings.Scope == RateLimitScope.Fleet ? redis : null;
        _redisTimeout = redisTimeout;
        _breakDuration = breakDuration;
        _time = time;
        _logger = logger;
        if (redis is not null && settings.SyncInterval is not null)
        {
            // Counted in process and settled at the interval: no request waits for Redis, so none needs the circuit.
            _local = new SyncedFleetRateLimiter(name, settings, redis, partition => RedisKey(keyPrefix, name, hashKey, partition), redisTimeout, time, logger, meter);
            return;
        }

        _local = PartitionedRateLimiter.Create<string, string>(partition => Local(settings, partition));
        if (redis is { } multiplexer)
        {
            _fleet = new FleetRateLimiter(settings, multiplexer, partition => RedisKey(keyPrefix, name, hashKey, partition),
                leaseLifetime ?? FleetRateLimiter.DefaultLeaseLifetime, new FleetRateLimitFindingsReport(name, time, logger));
        }
    }

    public string Name { get; }

    public RateLimitSettings Settings { get; }

    /// <summary>The limiter that settles with Redis at an interval, for a policy with a <see cref="RateLimitSettings.SyncInterval"/>.</summary>
    internal SyncedFleetRateLimiter? Synced => _local as SyncedFleetRateLimiter;

    /// <summary>True while a Fleet limit counts in process because Redis did not answer.</summary>
    public bool FallingBack => Volatile.Read(ref _fallingBack) == 1 || Synced is { FallingBack: true };

    /// <summary>One permit for <paramref name="partition"/>; dispose the lease when the request ends (Concurrency counts until then).</summary>
    public async ValueTask<RateLimitLease> AcquireAsync(string partition, CancellationToken cancellationToken)
    {
        if (_fleet is not null && _time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _skipRedisUntil))
        {
            try
            {
                var lease = await AcquireInRedisAsync(_fleet, partition, cancellationToken);
                if (Interlocked.Exchange(ref _fallingBack, 0) == 1)
                {
                    Log.BackOnRedis(_logger, Name);
                }

                return lease;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                Interlocked.Exchange(ref _skipRedisUntil, (_time.GetUtcNow() + _breakDuration).UtcTicks);
                if (Interlocked.Exchange(ref _fallingBack, 1) == 0)
                {
                    Log.CountingInProcess(_logger, Name, ex.GetType().Name);
                }
            }
        }

        return await _local.AcquireAsync(partition, 1, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _local.DisposeAsync();
        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
        }
    }

    /// <summary>
    /// The Redis key a Fleet policy counts <paramref name="partition"/> in: <c>{KeyPrefix}rl:{policy}:{hash}</c>. Keys
    /// in Redis hold no user or client id: an HMAC of the partition under the fleet's fingerprint key (which Redis
    /// never sees), so a reader of Redis cannot confirm a guessed id either. Plain SHA-256 only with an unprotected
    /// key ring, whose reader can decrypt everything anyway.
    /// </summary>
    public static string RedisKey(string keyPrefix, string policy, byte[]? hashKey, string partition)
    {
        var data = Encoding.UTF8.GetBytes("rate-limit\n" + partition);
        var hash = Convert.ToHexStringLower((hashKey is null ? SHA256.HashData(data) : HMACSHA256.HashData(hashKey, data)).AsSpan(0, 16));
        return $"{keyPrefix}rl:{policy}:{hash}";
    }

    /// <summary>
    /// A permit from Redis within the operation timeout. One Redis grants after the wait gave up (a Concurrency
    /// lease) is released at once rather than left to lapse.
    /// </summary>
    private async Task<RateLimitLease> AcquireInRedisAsync(PartitionedRateLimiter<string> fleet, string partition, CancellationToken cancellationToken)
    {
        var pending = fleet.AcquireAsync(partition, 1, cancellationToken).AsTask();
        try
        {
            return await pending.WaitAsync(_redisTimeout, _time, cancellationToken);
        }
        catch when (!pending.IsCompleted)
        {
            _ = pending.ContinueWith(
                static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        t.Result.Dispose();
                    }
                    else
                    {
                        _ = t.Exception;
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    private static RateLimitPartition<string> Local(RateLimitSettings settings, string partition) => settings.Algorithm switch
    {
        RateLimitAlgorithm.SlidingWindow => RateLimitPartition.GetSlidingWindowLimiter(partition, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = settings.PermitLimit, Window = settings.Window!.Value, SegmentsPerWindow = settings.SegmentsPerWindow, QueueLimit = 0,
        }),
        RateLimitAlgorithm.TokenBucket => RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.PermitLimit, TokensPerPeriod = settings.TokensPerPeriod!.Value, ReplenishmentPeriod = settings.ReplenishmentPeriod!.Value, QueueLimit = 0,
        }),
        RateLimitAlgorithm.Concurrency => RateLimitPartition.GetConcurrencyLimiter(partition, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.PermitLimit, QueueLimit = 0,
        }),
        _ => RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = settings.PermitLimit, Window = settings.Window!.Value, QueueLimit = 0,
        }),
    };

    internal static partial class Log
    {
        [LoggerMessage(500, LogLevel.Warning, "Rate limit {Policy} counts in this process: Redis did not answer ({Error}). Each replica now allows the limit until Redis is back.")]
        public static partial void CountingInProcess(ILogger logger, string policy, string error);

        [LoggerMessage(501, LogLevel.Information, "Rate limit {Policy} counts in Redis again, across the fleet.")]
        public static partial void BackOnRedis(ILogger logger, string policy);
    }
}
