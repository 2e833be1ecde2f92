using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace WamsGateway.Observability;

/// <summary>The gateway's own instruments. Labels are low-cardinality names only: never a token, user or client id.</summary>
internal sealed class GatewayMeter
{
    public const string Name = "WamsGateway";

    /// <summary>
    /// From a cache hit in memory (well under a millisecond) to the exchange budget's end (about ten seconds):
    /// OpenTelemetry's default boundaries (0, 5, 10, 25 ... 10000) would put every exchange in one bucket.
    /// </summary>
    public static readonly IReadOnlyList<double> DelegationDurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _delegations;
    private readonly Histogram<double> _delegationDuration;
    private readonly Counter<long> _configReloads;
    private readonly Counter<long> _metadataReads;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _rateLimitSyncs;
    private readonly ConcurrentDictionary<string, double> _keysRefreshed = new(StringComparer.Ordinal);
    private readonly KeyValuePair<string, object?>[] _build;
    private double _configLoaded;
    private Func<bool>? _redisConnected;

    public GatewayMeter(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _authFailures = meter.CreateCounter<long>("wamsgateway.auth.failures", description: "Requests refused because their token failed validation.");
        _delegations = meter.CreateCounter<long>("wamsgateway.delegation.requests", description: "Credentials asked of the delegation cache, by API and outcome (hit, miss, error).");
        _delegationDuration = meter.CreateHistogram<double>("wamsgateway.delegation.duration", unit: "s",
            description: "Time to obtain a delegated credential, cache included, by API and outcome (hit, miss, refused, unavailable, invalid_response, rate_limited).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DelegationDurationBuckets });
        _metadataReads = meter.CreateCounter<long>("wamsgateway.authority.metadata.reads", description: "Reads of an authority's discovery document and keys, by authority and outcome (ok, failed).");
        _rateLimited = meter.CreateCounter<long>("wamsgateway.rate_limited", description: "Requests and exchanges refused by a rate limit, by policy.");
        _rateLimitSyncs = meter.CreateCounter<long>("wamsgateway.rate_limit.syncs",
            description: "Settlements of a Scope Fleet limit with SyncInterval with Redis, by policy and outcome (ok, failed: each replica counts alone until one succeeds).");
        _configReloads = meter.CreateCounter<long>("wamsgateway.config.reloads", description: "Reloads of the Gateway section, by outcome (applied, refused).");

        // Both series exist from the start at 0, so increase() over them sees the first refusal.
        ConfigReload("applied", 0);
        ConfigReload("refused", 0);

        _build = [new("version", Version(typeof(GatewayMeter).Assembly))];
        meter.CreateObservableGauge("wamsgateway.build.info", () => new Measurement<int>(1, _build),
            description: "Always 1; the version label names the WamsGateway.Yarp build that runs.");
        meter.CreateObservableGauge("wamsgateway.redis.connected", ObserveRedis,
            description: "1 while the shared cache's Redis connection is up, 0 while it is not; absent without Redis.");
        meter.CreateObservableGauge("wamsgateway.authority.keys.last_refresh_timestamp", ObserveKeysRefreshed, unit: "s",
            description: "When each authority's discovery document and keys were last read successfully (Unix time).");
        meter.CreateObservableGauge("wamsgateway.config.last_reload_success_timestamp", ObserveConfigLoaded, unit: "s",
            description: "When the Gateway section was last loaded and passed validation, at start or on a reload (Unix time).");
    }

    /// <param name="reason">Why (<see cref="Authentication.AuthFailureReason"/>).</param>
    /// <param name="authority">The configured name of the authority the token's issuer named, or <c>none</c>: never the issuer itself.</param>
    public void AuthFailure(string reason, string authority) =>
        _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("authority", authority));

    public void RateLimited(string policy) => _rateLimited.Add(1, new KeyValuePair<string, object?>("policy", policy));

    /// <param name="policy">The rate limit's configured name.</param>
    /// <param name="outcome"><c>ok</c>, or <c>failed</c> (Redis did not answer within the operation timeout).</param>
    public void RateLimitSync(string policy, string outcome) =>
        _rateLimitSyncs.Add(1, new KeyValuePair<string, object?>("policy", policy), new KeyValuePair<string, object?>("outcome", outcome));

    public void AuthorityMetadataRead(string authority, string outcome) =>
        _metadataReads.Add(1, new KeyValuePair<string, object?>("authority", authority), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>An authority's keys were read successfully at <paramref name="at"/>.</summary>
    public void AuthorityKeysRefreshed(string authority, DateTimeOffset at) => _keysRefreshed[authority] = at.ToUnixTimeMilliseconds() / 1000d;

    public void ConfigReload(string outcome, long count = 1) => _configReloads.Add(count, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>The Gateway section loaded and passed validation at <paramref name="at"/> (at start, or a reload applied).</summary>
    public void ConfigLoaded(DateTimeOffset at) => Volatile.Write(ref _configLoaded, at.ToUnixTimeMilliseconds() / 1000d);

    /// <summary>Where <c>wamsgateway_redis_connected</c> reads from; set once, by the Redis connection.</summary>
    public void ObserveRedis(Func<bool> isConnected) => _redisConnected = isConnected;

    /// <param name="api">The API's configured name.</param>
    /// <param name="outcome">A <see cref="DelegationOutcome"/>: the histogram keeps it; the counter folds every failure into <c>error</c>.</param>
    /// <param name="elapsed">From asking the cache to having the credential or the failure.</param>
    public void Delegation(string api, string outcome, TimeSpan elapsed)
    {
        var apiTag = new KeyValuePair<string, object?>("api", api);
        var counted = outcome is DelegationOutcome.Hit or DelegationOutcome.Miss ? outcome : DelegationOutcome.Error;
        _delegations.Add(1, apiTag, new KeyValuePair<string, object?>("outcome", counted));
        _delegationDuration.Record(elapsed.TotalSeconds, apiTag, new KeyValuePair<string, object?>("outcome", outcome));
    }

    private IEnumerable<Measurement<int>> ObserveRedis() =>
        _redisConnected is { } connected ? [new Measurement<int>(connected() ? 1 : 0)] : [];

    private IEnumerable<Measurement<double>> ObserveKeysRefreshed() =>
        _keysRefreshed.Select(k => new Measurement<double>(k.Value, new KeyValuePair<string, object?>("authority", k.Key)));

    private IEnumerable<Measurement<double>> ObserveConfigLoaded() =>
        Volatile.Read(ref _configLoaded) is var at && at > 0 ? [new Measurement<double>(at)] : [];

    /// <summary>The informational version without its source-revision suffix (<c>0.9.0-preview.1</c>, not <c>0.9.0-preview.1+3c7e…</c>).</summary>
    private static string Version(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
