using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using WamsGateway.Caching.KeyRing;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using WamsGateway.Exchanges;
using WamsGateway.Observability;
using WamsGateway.TrafficPolicy;
using ZiggyCreatures.Caching.Fusion;

namespace WamsGateway.Caching;

/// <summary>
/// Wraps every exchange kind once, through FusionCache: one exchange per key at a time (its memory
/// lock, and with Redis its distributed lock), entries that live no longer than the credential and the
/// caller's token allow, eager refresh of entries in use. On top of that, no provider failure turns into
/// a queue: requests that waited for an exchange share its outcome, a refusal or a failure as much as a
/// credential; an unavailable provider is remembered for a few seconds, in memory and in Redis; and no
/// request waits longer than the exchange budget, whatever its place in line, on this replica or behind
/// another replica's lock (it waits for that lock at most <see cref="CachingExtensions.DistributedLockWait"/>,
/// then exchanges itself). While the key ring is unusable, Redis is left out altogether: memory only, no
/// lock, no backplane message.
/// </summary>
internal sealed partial class DelegationCache
{
    /// <summary>What the cache may add to the exchange budget: reading and writing Redis, taking its lock.</summary>
    public static readonly TimeSpan CacheAllowance = TimeSpan.FromMilliseconds(250);

    private readonly IFusionCache _cache;
    private readonly ConcurrentDictionary<string, RecentFailure> _recentFailures = new(StringComparer.Ordinal);
    private readonly TimeSpan _margin;
    private readonly TimeSpan _rememberUnavailable;
    private readonly TimeSpan _defaultRetryAfter;
    private readonly TimeSpan _deadline;
    private readonly TimeProvider _time;
    private readonly GatewayMeter _meter;
    private readonly GatewayRateLimiters _limiters;
    private readonly ILogger<DelegationCache> _logger;
    private readonly KeyRingStatus? _keyRing;
    private readonly FusionCacheEntryOptions _inMemoryOnly;

    // keyRing: with Redis, whether values can be encrypted; while not, the cache is in memory only.
    public DelegationCache(IFusionCache cache, IOptions<WamsGatewayOptions> options, TimeProvider time, GatewayMeter meter, GatewayRateLimiters limiters, ILogger<DelegationCache> logger,
        KeyRingStatus? keyRing = null)
    {
        _limiters = limiters;
        _cache = cache;
        _keyRing = keyRing;
        _inMemoryOnly = cache.CreateEntryOptions(o => o.SetSkipDistributedCache(true, skipBackplaneNotifications: true).SetSkipDistributedLocker(true));
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
        var exchange = new Exchange(this, key, request, started);

        // The request's own deadline bounds how long it waits, for the memory lock, the distributed
        // lock or the exchange alike: past it, 503. What it waited for goes on (bounded by the exchange's
        // own timeouts), so its outcome is still stored for the requests that come after.
        try
        {
            var entry = await WithinDeadlineAsync(GetOrExchangeAsync(exchange, cancellationToken), started, cancellationToken);
            if (entry.Owner != key.Owner)
            {
                // Defence in depth: the value decrypted for this key but names another token.
                Log.ForeignOwner(_logger, request.Api.Name);
                await _cache.RemoveAsync(key.Value, token: cancellationToken);
                entry = await WithinDeadlineAsync(GetOrExchangeAsync(exchange, cancellationToken), started, cancellationToken);
            }

            var credential = Open(entry);
            _meter.Delegation(request.Api.Name, exchange.Ran ? DelegationOutcome.Miss : DelegationOutcome.Hit, _time.GetElapsedTime(started));
            return credential;
        }
        catch (TimeoutException)
        {
            _meter.Delegation(request.Api.Name, DelegationOutcome.Unavailable, _time.GetElapsedTime(started));
            throw new DelegationException(DelegationFailure.Unavailable,
                $"The exchange for API {request.Api.Name} did not finish within its budget of {_deadline.TotalSeconds:0.##} s.", retryAfter: _defaultRetryAfter);
        }
        catch (DelegationException ex)
        {
            _meter.Delegation(request.Api.Name, DelegationOutcome.For(ex.Failure), _time.GetElapsedTime(started));
            throw;
        }
        catch (ExchangeRateLimitedException)
        {
            _meter.Delegation(request.Api.Name, DelegationOutcome.RateLimited, _time.GetElapsedTime(started));
            throw;
        }
    }

    private ValueTask<CachedExchange> GetOrExchangeAsync(Exchange exchange, CancellationToken cancellationToken) =>
        _cache.GetOrSetAsync<CachedExchange>(exchange.Key.Value, exchange.RunAsync,
            options: _keyRing is null || _keyRing.IsUsable() ? null : _inMemoryOnly, token: cancellationToken);

    /// <exception cref="TimeoutException">The request's deadline passed first.</exception>
    private async ValueTask<CachedExchange> WithinDeadlineAsync(ValueTask<CachedExchange> pending, long started, CancellationToken cancellationToken)
    {
        if (pending.IsCompletedSuccessfully)
        {
            // The hot path: a hit in memory, no timer, no task.
            return pending.Result;
        }

        var task = pending.AsTask();
        var remaining = _deadline - _time.GetElapsedTime(started);
        try
        {
            return await task.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Nobody awaits it any more: observe its failure, if it fails, so it is not reported as unobserved.
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    private async Task<CachedExchange> ExchangeAsync(Exchange exchange, FusionCacheFactoryExecutionContext<CachedExchange> context, CancellationToken cancellationToken)
    {
        var (key, request) = (exchange.Key, exchange.Request);

        // This request stopped waiting at its deadline and has had its 503; the lock it was queued on
        // has only now come free. Asking the provider for nobody would make a burst cost more calls.
        if (_time.GetElapsedTime(exchange.Started) >= _deadline)
        {
            throw new OperationCanceledException("The request this exchange was for has already been answered.");
        }

        // This request waited on the lock while another exchange for the key failed: that outcome is its
        // outcome too. Asking the provider again, once per waiter, is how a failure becomes a queue.
        if (_recentFailures.TryGetValue(key.Value, out var recent))
        {
            if (recent.At >= exchange.Started)
            {
                var failure = recent.Failure;
                throw new DelegationException(failure.Failure, failure.Message, failure.ProviderError, failure.RetryAfter);
            }

            _recentFailures.TryRemove(new KeyValuePair<string, RecentFailure>(key.Value, recent));
        }

        // The API's ExchangeRateLimit counts exchanges, not requests: here, on a miss, before the provider is called.
        // A Concurrency limit holds its permit for the whole call.
        using var lease = await ExchangePermitAsync(request, cancellationToken);
        exchange.Ran = true;
        DelegatedCredential credential;
        try
        {
            credential = await request.Api.Kind.ExchangeAsync(request, cancellationToken);
        }
        catch (DelegationException ex) when (ex.Failure == DelegationFailure.Unavailable && Remember(ex) is { } remember)
        {
            // Remembered briefly, in memory and in Redis: waiting requests and the fleet's next ones
            // answer 503 at once instead of asking a provider that just failed.
            Log.RememberingUnavailable(_logger, request.Api.Name, ex.ProviderError ?? "-", ex.Message, remember.TotalSeconds);
            context.Options.Duration = remember;
            context.Options.EagerRefreshThreshold = null;
            return new CachedExchange(key.Owner, null, _time.GetUtcNow() + (ex.RetryAfter ?? _defaultRetryAfter), ex.ProviderError);
        }
        catch (DelegationException ex)
        {
            // Not cached (a refusal may be lifted at any time), but shared with whoever waited for it.
            var failure = new RecentFailure(_time.GetTimestamp(), ex);
            _recentFailures[key.Value] = failure;
            ForgetLater(key.Value, failure);
            throw;
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
    }

    /// <exception cref="ExchangeRateLimitedException">Over the API's <c>ExchangeRateLimit</c>.</exception>
    private async ValueTask<System.Threading.RateLimiting.RateLimitLease?> ExchangePermitAsync(DelegationRequest request, CancellationToken cancellationToken)
    {
        if (_limiters.Find(request.Api.Options.ExchangeRateLimit) is not { } limiter)
        {
            return null;
        }

        var lease = await limiter.AcquireAsync(
            RateLimitPartitionKey.For(limiter.Settings.PartitionBy, request.User, request.Authority?.Name, request.ClientAddress), cancellationToken);
        if (lease.IsAcquired)
        {
            return lease;
        }

        var refusal = new RateLimitRefusal(limiter, lease);
        lease.Dispose();
        throw new ExchangeRateLimitedException(refusal);
    }

    /// <summary>Every request that could share a failure has met its deadline by then.</summary>
    private void ForgetLater(string key, RecentFailure failure) =>
        _ = Task.Delay(_deadline, _time).ContinueWith(
            _ => _recentFailures.TryRemove(new KeyValuePair<string, RecentFailure>(key, failure)),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

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

        var now = _time.GetUtcNow();
        var retryAfter = entry.RetryAt is { } at && at > now ? at - now : TimeSpan.FromSeconds(1);
        throw new DelegationException(DelegationFailure.Unavailable,
            "The identity provider was unavailable moments ago; it is not asked again until its Retry-After has passed.",
            entry.ProviderError, retryAfter);
    }

    /// <summary>One request's way through the cache: whether it ran the exchange itself, and since when it waits.</summary>
    private sealed class Exchange(DelegationCache owner, DelegationCacheKey key, DelegationRequest request, long started)
    {
        public DelegationCacheKey Key { get; } = key;

        public DelegationRequest Request { get; } = request;

        public long Started { get; } = started;

        public bool Ran { get; set; }

        public Task<CachedExchange> RunAsync(FusionCacheFactoryExecutionContext<CachedExchange> context, CancellationToken cancellationToken) =>
            owner.ExchangeAsync(this, context, cancellationToken);
    }

    private sealed record RecentFailure(long At, DelegationException Failure);

    private static partial class Log
    {
        [LoggerMessage(210, LogLevel.Warning, "The identity provider for API {Api} is unavailable (provider error {ProviderError}: {Reason}); remembering that for {Seconds} s so waiting and new requests do not ask it again.")]
        public static partial void RememberingUnavailable(ILogger logger, string api, string providerError, string reason, double seconds);

        [LoggerMessage(211, LogLevel.Warning, "A cached value for API {Api} belongs to another caller's token; not served, exchanged again.")]
        public static partial void ForeignOwner(ILogger logger, string api);
    }
}
