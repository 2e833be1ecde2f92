using System.Globalization;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// A <see cref="RateLimitScope.Fleet"/> limit counted in Redis, one round trip per acquire: the policy's algorithm
/// as a Lua script (<see cref="FleetRateLimitScripts"/>) on the partition's key, which StackExchange.Redis sends as
/// <c>EVALSHA</c> once Redis has seen it (<c>EVAL</c> again after <c>NOSCRIPT</c>). No state is kept here: every
/// replica sharing Redis counts in the same keys. One permit per acquire, as the gateway asks.
/// </summary>
internal sealed class FleetRateLimiter : PartitionedRateLimiter<string>
{
    /// <summary>How long a Concurrency lease counts if it is never released (its replica crashed, or lost Redis).</summary>
    public static readonly TimeSpan DefaultLeaseLifetime = TimeSpan.FromSeconds(60);

    /// <summary>How far ahead of Redis's clock a time in a key may be and still be believed (a failover to a replica whose clock is behind); further ahead is treated as absent.</summary>
    public static readonly TimeSpan SkewAllowance = TimeSpan.FromSeconds(1);

    private readonly IConnectionMultiplexer _redis;
    private readonly Func<string, string> _keyFor;
    private readonly string _script;
    private readonly RedisValue[] _arguments;
    private readonly bool _withMember;
    private readonly bool _releases;
    private readonly TimeSpan _longestWait;
    private readonly FleetRateLimitFindingsReport _findings;
    private readonly string _instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private long _sequence;

    /// <param name="settings">The policy's settings.</param>
    /// <param name="redis">The shared connection.</param>
    /// <param name="keyFor">The Redis key of a partition.</param>
    /// <param name="leaseLifetime">Concurrency: how long an unreleased lease counts.</param>
    /// <param name="findings">Where state the scripts never write is reported.</param>
    public FleetRateLimiter(RateLimitSettings settings, IConnectionMultiplexer redis, Func<string, string> keyFor, TimeSpan leaseLifetime, FleetRateLimitFindingsReport findings)
    {
        _redis = redis;
        _keyFor = keyFor;
        _findings = findings;
        var skew = Milliseconds(SkewAllowance);
        switch (settings.Algorithm)
        {
            case RateLimitAlgorithm.SlidingWindow:
                _script = FleetRateLimitScripts.SlidingWindow;
                _arguments = [settings.PermitLimit, Milliseconds(settings.Window!.Value), skew];
                _withMember = true;
                _longestWait = settings.Window.Value;
                break;
            case RateLimitAlgorithm.TokenBucket:
                _script = FleetRateLimitScripts.TokenBucket;
                _arguments = [settings.PermitLimit, settings.TokensPerPeriod!.Value, Milliseconds(settings.ReplenishmentPeriod!.Value), skew];
                _longestWait = settings.ReplenishmentPeriod.Value;
                break;
            case RateLimitAlgorithm.Concurrency:
                _script = FleetRateLimitScripts.Concurrency;
                _arguments = [settings.PermitLimit, Milliseconds(leaseLifetime), skew];
                _withMember = true;
                _releases = true;
                _longestWait = TimeSpan.Zero;
                break;
            default:
                _script = FleetRateLimitScripts.FixedWindow;
                _arguments = [settings.PermitLimit, Milliseconds(settings.Window!.Value)];
                _longestWait = settings.Window.Value;
                break;
        }
    }

    public override RateLimiterStatistics? GetStatistics(string resource) => null;

    /// <summary>Blocks on Redis; the gateway itself acquires asynchronously.</summary>
    protected override RateLimitLease AttemptAcquireCore(string resource, int permitCount)
    {
        var (key, arguments) = Prepare(resource, permitCount);
        return Lease(key, arguments, _redis.GetDatabase().ScriptEvaluate(_script, [key], arguments));
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(string resource, int permitCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (key, arguments) = Prepare(resource, permitCount);
        return Lease(key, arguments, await _redis.GetDatabase().ScriptEvaluateAsync(_script, [key], arguments));
    }

    private static long Milliseconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalMilliseconds));

    private (RedisKey Key, RedisValue[] Arguments) Prepare(string resource, int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(permitCount, 1);
        if (!_withMember)
        {
            return (_keyFor(resource), _arguments);
        }

        // A member no other acquire on any replica uses: this limiter's random id and a sequence number.
        var member = string.Create(CultureInfo.InvariantCulture, $"{_instance}:{Interlocked.Increment(ref _sequence)}");
        return (_keyFor(resource), [.. _arguments, member]);
    }

    /// <summary>The reply, <c>{granted, retry after (ms), found}</c>; anything else is Redis failing, as a dropped connection would be.</summary>
    private FleetRateLimitLease Lease(RedisKey key, RedisValue[] arguments, RedisResult reply)
    {
        if (!FleetRateLimitScripts.TryReadReply(reply, _findings, out var granted, out var retryAfterMs))
        {
            throw new RedisException("The rate-limit script's reply is not three integers.");
        }

        if (granted != 1)
        {
            // Never longer than the policy could make anyone wait, whatever Redis answered.
            var retryAfter = TimeSpan.FromMilliseconds(Math.Clamp(retryAfterMs, 0, (long)_longestWait.TotalMilliseconds));
            return FleetRateLimitLease.Refused(_longestWait > TimeSpan.Zero ? retryAfter : null);
        }

        return _releases ? FleetRateLimitLease.Held(_redis, key, arguments[^1]) : FleetRateLimitLease.Granted;
    }
}
