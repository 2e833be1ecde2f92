using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using WamsGateway.Caching;
using WamsGateway.Configuration;
using WamsGateway.Observability;

namespace WamsGateway.TrafficPolicy;

/// <summary>Every <c>Gateway:RateLimits</c> policy, as the gateway was started with them.</summary>
internal sealed class GatewayRateLimiters : IAsyncDisposable
{
    private readonly FrozenDictionary<string, GatewayRateLimiter> _limiters;

    public GatewayRateLimiters(IOptions<WamsGatewayOptions> options, IServiceProvider services, FingerprintKey fingerprints, TimeProvider time, ILogger<GatewayRateLimiter> logger, GatewayMeter meter)
    {
        var settings = options.Value;
        var redis = settings.RateLimits.Values.Any(l => l.Scope == RateLimitScope.Fleet) ? services.GetService<RedisConnection>()?.Multiplexer : null;
        _limiters = settings.RateLimits.ToFrozenDictionary(
            l => l.Key,
            l => new GatewayRateLimiter(l.Key, l.Value, redis, settings.Redis.KeyPrefix, fingerprints.Key, settings.Redis.OperationTimeout, settings.Redis.CircuitBreakerDuration, time, logger, meter: meter),
            StringComparer.OrdinalIgnoreCase);
    }

    public IEnumerable<GatewayRateLimiter> All => _limiters.Values;

    /// <summary>The policy of that name; null for none, <c>disable</c>, or a name added by a reload (policies are read at start).</summary>
    public GatewayRateLimiter? Find(string? name) => name is not null && _limiters.TryGetValue(name, out var limiter) ? limiter : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var limiter in _limiters.Values)
        {
            await limiter.DisposeAsync();
        }
    }
}
