using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// A <see cref="FleetRateLimiter"/>'s (or a <see cref="SyncedFleetRateLimiter"/>'s) answer: granted, refused (with
/// <see cref="MetadataName.RetryAfter"/> when the algorithm knows when a permit frees up), or a Concurrency lease held
/// in Redis until disposed. Releasing it may find Redis gone; the request has been answered by then, so that is not its
/// failure: the lease lapses in Redis instead.
/// </summary>
internal sealed class FleetRateLimitLease : RateLimitLease
{
    private static readonly string[] RetryAfterName = [MetadataName.RetryAfter.Name];
    private readonly TimeSpan? _retryAfter;
    private readonly RedisKey _key;
    private readonly RedisValue _member;
    private IConnectionMultiplexer? _redis;

    private FleetRateLimitLease(bool acquired, TimeSpan? retryAfter, IConnectionMultiplexer? redis, RedisKey key, RedisValue member)
    {
        IsAcquired = acquired;
        _retryAfter = retryAfter;
        _redis = redis;
        _key = key;
        _member = member;
    }

    /// <summary>A permit that needs no release (the window or the bucket counts it).</summary>
    public static FleetRateLimitLease Granted { get; } = new(true, null, null, default, default);

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => _retryAfter is null ? [] : RetryAfterName;

    public static FleetRateLimitLease Refused(TimeSpan? retryAfter) => new(false, retryAfter, null, default, default);

    /// <summary>A Concurrency lease: <paramref name="member"/> of the sorted set at <paramref name="key"/> until disposed.</summary>
    public static FleetRateLimitLease Held(IConnectionMultiplexer redis, RedisKey key, RedisValue member) => new(true, null, redis, key, member);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is { } retryAfter && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = retryAfter;
            return true;
        }

        metadata = null;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _redis, null) is { } redis)
        {
            try
            {
                redis.GetDatabase().SortedSetRemove(_key, _member, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
            {
            }
        }

        base.Dispose(disposing);
    }
}
