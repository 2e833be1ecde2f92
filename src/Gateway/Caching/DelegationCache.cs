using System.Diagnostics;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using WamsGateway.Observability;
using ZiggyCreatures.Caching.Fusion;

namespace WamsGateway.Caching;

/// <summary>
/// Wraps every exchange kind once: one exchange per key at a time (FusionCache's stampede
/// protection), entries that live no longer than the credential and the caller's token allow,
/// and failures never cached.
/// </summary>
internal sealed class DelegationCache
{
    private readonly IFusionCache _cache;
    private readonly Dictionary<ExchangeKind, IDelegationClient> _clients;
    private readonly TimeSpan _margin;
    private readonly TimeProvider _time;
    private readonly GatewayMeter _meter;

    public DelegationCache(IFusionCache cache, IEnumerable<IDelegationClient> clients, IOptions<GatewayOptions> options, TimeProvider time, GatewayMeter meter)
    {
        _cache = cache;
        _clients = clients.ToDictionary(c => c.Kind);
        _margin = options.Value.Cache.SafetyMargin;
        _time = time;
        _meter = meter;
    }

    public async Task<DelegatedCredential> GetAsync(DelegationRequest request, CancellationToken cancellationToken)
    {
        var client = _clients[request.Api.Kind];
        var exchanged = false;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var credential = await _cache.GetOrSetAsync<DelegatedCredential>(
                DelegationCacheKey.For(request),
                async (context, token) =>
                {
                    exchanged = true;
                    var credential = await client.ExchangeAsync(request, token);
                    var lifetime = CredentialLifetime.For(credential.ExpiresAt, request.SubjectExpiresAt, _margin, _time.GetUtcNow());
                    if (lifetime > TimeSpan.Zero)
                    {
                        context.Options.Duration = lifetime;
                    }
                    else
                    {
                        // Too close to expiry to be worth keeping: use it for this request only.
                        context.Options.SkipMemoryCacheWrite = true;
                        context.Options.SkipDistributedCacheWrite = true;
                    }

                    return credential;
                },
                token: cancellationToken);

            _meter.Delegation(request.Api.Name, exchanged ? "miss" : "hit", Stopwatch.GetElapsedTime(started));
            return credential;
        }
        catch (DelegationException)
        {
            _meter.Delegation(request.Api.Name, "error", Stopwatch.GetElapsedTime(started));
            throw;
        }
    }
}
