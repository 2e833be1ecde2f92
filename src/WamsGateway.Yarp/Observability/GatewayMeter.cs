using System.Diagnostics.Metrics;

namespace WamsGateway.Observability;

/// <summary>The gateway's own instruments. Labels are low-cardinality names only: never a token, user or client id.</summary>
internal sealed class GatewayMeter
{
    public const string Name = "WamsGateway";

    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _delegations;
    private readonly Histogram<double> _delegationDuration;
    private readonly Counter<long> _configReloads;
    private readonly Counter<long> _metadataReads;
    private readonly Counter<long> _rateLimited;

    public GatewayMeter(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _authFailures = meter.CreateCounter<long>("wamsgateway.auth.failures", description: "Requests refused because their token failed validation.");
        _delegations = meter.CreateCounter<long>("wamsgateway.delegation.requests", description: "Credentials asked of the delegation cache, by API and outcome (hit, miss, error).");
        _delegationDuration = meter.CreateHistogram<double>("wamsgateway.delegation.duration", unit: "s", description: "Time to obtain a delegated credential, cache included.");
        _metadataReads = meter.CreateCounter<long>("wamsgateway.authority.metadata.reads", description: "Reads of an authority's discovery document and keys, by authority and outcome (ok, failed).");
        _rateLimited = meter.CreateCounter<long>("wamsgateway.rate_limited", description: "Requests and exchanges refused by a rate limit, by policy.");
        _configReloads = meter.CreateCounter<long>("wamsgateway.config.reloads", description: "Reloads of the Gateway section, by outcome (applied, refused).");
    }

    /// <param name="reason">Why (<see cref="Authentication.AuthFailureReason"/>).</param>
    /// <param name="authority">The configured name of the authority the token's issuer named, or <c>none</c>: never the issuer itself.</param>
    public void AuthFailure(string reason, string authority) =>
        _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("authority", authority));

    public void RateLimited(string policy) => _rateLimited.Add(1, new KeyValuePair<string, object?>("policy", policy));

    public void AuthorityMetadataRead(string authority, string outcome) =>
        _metadataReads.Add(1, new KeyValuePair<string, object?>("authority", authority), new KeyValuePair<string, object?>("outcome", outcome));

    public void ConfigReload(string outcome) => _configReloads.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Delegation(string api, string outcome, TimeSpan elapsed)
    {
        _delegations.Add(1, new KeyValuePair<string, object?>("api", api), new KeyValuePair<string, object?>("outcome", outcome));
        _delegationDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("api", api));
    }
}
