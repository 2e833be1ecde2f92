using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using WamsGateway.Observability;
using ZiggyCreatures.Caching.Fusion;

namespace WamsGateway.Caching;

/// <summary>
/// Wraps every exchange kind once. Concurrent requests for one key share one exchange and its outcome,
/// success or failure; an unavailable provider is remembered for a few seconds, so a burst costs it
/// one exchange's attempts; no request waits longer than the exchange budget, whatever its place in
/// line, on this replica or behind another replica's lock. Entries live no longer than the credential
/// and the caller's token allow, and belong to the token they were obtained for.
/// </summary>
internal sealed partial class DelegationCache
{
    /// <summary>What the cache may add to the exchange budget: reading and writing Redis, taking its lock.</summary>
    public static readonly TimeSpan CacheAllowance = TimeSpan.FromMilliseconds(500);

    private static readonly FusionCacheEntryOptions MemoryOnly = new() { SkipDistributedCacheRead = true, SkipDistributedCacheWrite = true };

    private readonly IFusionCache _cache;
    private readonly Dictionary<ExchangeKind, IDelegationClient> _clients;
    private readonly ConcurrentDictionary<string, Task<Flight>> _flights = new(StringComparer.Ordinal);
    private readonly TimeSpan _margin;
    private readonly TimeSpan _rememberUnavailable;
    private readonly TimeSpan _defaultRetryAfter;
    private readonly TimeSpan _deadline;
    private readonly TimeProvider _time;
    private readonly GatewayMeter _meter;
    private readonly ILogger<DelegationCache> _logger;

    public DelegationCache(IFusionCache cache, IEnumerable<IDelegationClient> clients, IOptions<GatewayOptions> options, TimeProvider time, GatewayMeter meter, ILogger<DelegationCache> logger)
    {
        _cache = cache;
        _clients = clients.ToDictionary(c => c.Kind);
        _margin = options.Value.Cache.SafetyMargin;
        _rememberUnavailable = options.Value.Delegation.RememberUnavailable;
        _defaultRetryAfter = options.Value.Delegation.DefaultRetryAfter;
        _deadline = options.Value.Delegation.ExchangeBudget + CacheAllowance;
        _time = time;
        _meter = meter;
        _logger = logger;
    }

    /// <exception cref="DelegationException">No credential: refused, unavailable (now or moments ago), or unusable.</exception>
    public async Task<DelegatedCredential> GetAsync(DelegationRequest request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var key = DelegationCacheKey.For(request);
        try
        {
            // The hot path: this replica's memory, no lock, no flight.
            if (_cache.TryGet<CachedExchange>(key.Value, MemoryOnly, CancellationToken.None) is { HasValue: true, Value: var cached } && cached.Owner == key.Owner)
            {
                return Record(request, Open(cached), "hit", started);
            }

            var flight = new TaskCompletionSource<Flight>(TaskCreationOptions.RunContinuationsAsynchronously);
            var shared = _flights.GetOrAdd(key.Value, flight.Task);
            var leads = shared == flight.Task;
            if (leads)
            {
                _ = FlyAsync(key, request, flight);
            }

            Flight outcome;
            try
            {
                var remaining = _deadline - _time.GetElapsedTime(started);
                outcome = await shared.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw OutOfTime(request.Api.Name);
            }

            return Record(request, Open(outcome.Entry), leads && outcome.Exchanged ? "miss" : "hit", started);
        }
        catch (DelegationException)
        {
            _meter.Delegation(request.Api.Name, "error", _time.GetElapsedTime(started));
            throw;
        }
    }

    private DelegatedCredential Record(DelegationRequest request, DelegatedCredential credential, string outcome, long started)
    {
        _meter.Delegation(request.Api.Name, outcome, _time.GetElapsedTime(started));
        return credential;
    }

    /// <summary>The one exchange for a key on this replica; every request for the key awaits its outcome.</summary>
    private async Task FlyAsync(DelegationCacheKey key, DelegationRequest request, TaskCompletionSource<Flight> flight)
    {
        // Bounded by the budget, not by any one request: the requests sharing it may come and go.
        using var deadline = new CancellationTokenSource(_deadline, _time);
        try
        {
            var exchanged = false;
            var entry = await GetOrExchangeAsync(key, request, () => exchanged = true, deadline.Token);
            if (entry.Owner != key.Owner)
            {
                // Defence in depth: the value decrypted for this key but names another token.
                Log.ForeignOwner(_logger, request.Api.Name);
                await _cache.RemoveAsync(key.Value, token: deadline.Token);
                entry = await GetOrExchangeAsync(key, request, () => exchanged = true, deadline.Token);
            }

            flight.SetResult(new Flight(entry, exchanged));
        }
        catch (DelegationException ex)
        {
            flight.SetException(ex);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            flight.SetException(OutOfTime(request.Api.Name));
        }
        catch (Exception ex)
        {
            flight.SetException(ex);
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<string, Task<Flight>>(key.Value, flight.Task));
        }
    }

    private async Task<CachedExchange> GetOrExchangeAsync(DelegationCacheKey key, DelegationRequest request, Action onExchange, CancellationToken cancellationToken)
    {
        var client = _clients[request.Api.Kind];
        return await _cache.GetOrSetAsync<CachedExchange>(
            key.Value,
            async (context, token) =>
            {
                onExchange();
                DelegatedCredential credential;
                try
                {
                    credential = await client.ExchangeAsync(request, token);
                }
                catch (DelegationException ex) when (ex.Failure == DelegationFailure.Unavailable && Remember(ex) is { } remember)
                {
                    // Remembered briefly, in memory and in Redis: the fleet's next requests answer 503
                    // at once instead of asking a provider that just failed.
                    Log.RememberingUnavailable(_logger, request.Api.Name, ex.ProviderError ?? "-", ex.Message, remember.TotalSeconds);
                    context.Options.Duration = remember;
                    context.Options.EagerRefreshThreshold = null;
                    return new CachedExchange(key.Owner, null, _time.GetUtcNow() + (ex.RetryAfter ?? _defaultRetryAfter), ex.ProviderError);
                }

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

                return new CachedExchange(key.Owner, credential);
            },
            token: cancellationToken);
    }

    private TimeSpan? Remember(DelegationException ex)
    {
        var remember = ex.RetryAfter is { } retryAfter && retryAfter < _rememberUnavailable ? retryAfter : _rememberUnavailable;
        return remember > TimeSpan.Zero ? remember : null;
    }

    private DelegatedCredential Open(CachedExchange entry)
    {
        if (entry.Credential is { } credential)
        {
            return credential;
        }

        var retryAfter = entry.RetryAt is { } at && at > _time.GetUtcNow() ? at - _time.GetUtcNow() : TimeSpan.FromSeconds(1);
        throw new DelegationException(DelegationFailure.Unavailable,
            "The identity provider was unavailable moments ago; it is not asked again until its Retry-After has passed.",
            entry.ProviderError, retryAfter);
    }

    private DelegationException OutOfTime(string api) =>
        new(DelegationFailure.Unavailable, $"The exchange for API {api} did not finish within its budget of {_deadline.TotalSeconds:0.##} s.", retryAfter: _defaultRetryAfter);

    /// <summary>One exchange's outcome, shared by every request that waited for it.</summary>
    private sealed record Flight(CachedExchange Entry, bool Exchanged);

    private static partial class Log
    {
        [LoggerMessage(210, LogLevel.Warning, "The identity provider for API {Api} is unavailable (provider error {ProviderError}: {Reason}); remembering that for {Seconds} s so waiting and new requests do not ask it again.")]
        public static partial void RememberingUnavailable(ILogger logger, string api, string providerError, string reason, double seconds);

        [LoggerMessage(211, LogLevel.Warning, "A cached value for API {Api} belongs to another caller's token; not served, exchanged again.")]
        public static partial void ForeignOwner(ILogger logger, string api);
    }
}
