using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WamsGateway.Caching;
using WamsGateway.Exchanges;
using WamsGateway.Forwarding;
using Yarp.ReverseProxy.Model;

namespace WamsGateway.Configuration;

/// <summary>One API as the request path sees it.</summary>
/// <param name="Name">The API's name under <c>Gateway:Apis</c>.</param>
/// <param name="KindName">Its exchange kind's registered name.</param>
/// <param name="Kind">Its exchange kind.</param>
/// <param name="Options">Its common settings (policy).</param>
/// <param name="Settings">Its kind's settings.</param>
/// <param name="Fingerprint">
/// A short hash of the kind and every one of its settings, part of each cache key, so a changed
/// configuration never reuses a credential obtained under the old one.
/// </param>
/// <param name="ConfiguredAuthorities">How many authorities the gateway has (what an API that names none takes).</param>
internal sealed record ApiDefinition(string Name, string KindName, IExchangeKind Kind, ApiOptions Options, object Settings, string Fingerprint, int ConfiguredAuthorities = 1)
{
    /// <summary>The kind needs a caller, or the API's policy names clients or scopes.</summary>
    public bool RequiresCaller { get; } = Options.RequiresCaller(Kind);

    /// <summary>The names of the authorities whose tokens it accepts; null: every one.</summary>
    public FrozenSet<string>? AcceptedAuthorities { get; } = Options.Authorities?.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The audiences it accepts, compared exactly; null: any its authority accepts.</summary>
    public FrozenSet<string>? AcceptedAudiences { get; } = Options.Audiences?.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>It takes more than one authority's users, whose <c>sub</c> values are unique only within their tenant: its backend needs the issuer too.</summary>
    public bool SeveralAuthorities { get; } = (Options.Authorities?.Count ?? ConfiguredAuthorities) > 1;
}

/// <summary>Everything the request path reads from one valid configuration, derived once; a request uses one snapshot throughout.</summary>
internal sealed class GatewaySnapshot
{
    public GatewaySnapshot(GatewayOptions options, ExchangeKinds kinds, FingerprintKey fingerprints)
    {
        var authorities = options.AuthorityNames.Count();
        SeveralAuthorities = authorities > 1;
        Apis = options.Apis.ToFrozenDictionary(
            a => a.Key,
            a =>
            {
                var registration = kinds.Registration(a.Value.Exchange)!;
                var settings = a.Value.Settings!;
                return new ApiDefinition(a.Key, registration.Name, kinds.Find(registration.Name)!, a.Value, settings, Fingerprint(fingerprints, registration.Name, settings), authorities);
            },
            StringComparer.OrdinalIgnoreCase);
        // Every API's assertion header, and the default name, is the gateway's on every route.
        var credentialHeaders = kinds.OwnedHeaders
            .Concat(Apis.Values.SelectMany(a => a.Kind.CredentialHeaders(a.Settings)))
            .Concat(Apis.Values.Select(a => a.Options.Assertion?.Header).OfType<string>())
            .Concat(Apis.Values.Select(a => a.Options.TokenHeader).OfType<string>())
            .Append(Assertions.ApiAssertionSettings.DefaultHeader)
            .ToList();
        var prefixes = kinds.OwnedHeaderPrefixes;
        Strip = new CredentialHeadersTransform(CredentialHeadersTransform.NamesFor(options, credentialHeaders, keepAuthorization: false), prefixes);
        StripKeepingAuthorization = new CredentialHeadersTransform(CredentialHeadersTransform.NamesFor(options, credentialHeaders, keepAuthorization: true), prefixes);
        // Headers that carry the issuer go only where a user id alone is ambiguous: APIs (and routes without one) that take several authorities.
        IdentityHeaders = new IdentityHeadersTransform(options.IdentityHeaders.Where(h => h.Value != IssuerClaim), options.RequireVerifiedEmail);
        IdentityHeadersWithIssuer = new IdentityHeadersTransform(options.IdentityHeaders, options.RequireVerifiedEmail);
    }

    private const string IssuerClaim = "iss";

    public FrozenDictionary<string, ApiDefinition> Apis { get; }

    /// <summary>Removes every inbound credential and identity header.</summary>
    public CredentialHeadersTransform Strip { get; }

    /// <summary>The same, but the caller's validated <c>Authorization</c> travels on (a kind that keeps it, such as Passthrough).</summary>
    public CredentialHeadersTransform StripKeepingAuthorization { get; }

    /// <summary>The identity headers, but not those that carry the issuer.</summary>
    public IdentityHeadersTransform IdentityHeaders { get; }

    /// <summary>The identity headers, the issuer's included (<c>X-User-Issuer</c> by default).</summary>
    public IdentityHeadersTransform IdentityHeadersWithIssuer { get; }

    /// <summary>More than one authority is configured: a route without an API takes every one's users.</summary>
    public bool SeveralAuthorities { get; }

    /// <summary>The identity headers for a request to <paramref name="api"/> (null: a route without an API).</summary>
    public IdentityHeadersTransform IdentityHeadersFor(ApiDefinition? api) =>
        api?.SeveralAuthorities ?? SeveralAuthorities ? IdentityHeadersWithIssuer : IdentityHeaders;

    public ApiDefinition? Find(string? name) => name is not null && Apis.TryGetValue(name, out var api) ? api : null;

    /// <summary>Every setting of the API's kind, secrets included, keyed (<see cref="FingerprintKey"/>).</summary>
    private static string Fingerprint(FingerprintKey key, string kind, object settings) =>
        key.Fingerprint(kind + "\n" + JsonSerializer.Serialize(settings, settings.GetType()));
}

/// <summary>The configured APIs (the newest valid configuration), and which one a proxied request's route is bound to.</summary>
internal sealed class ApiCatalog : IDisposable
{
    private readonly GatewayConfigurationMonitor _monitor;
    private readonly ExchangeKinds _kinds;
    private readonly FingerprintKey _fingerprints;
    private readonly IDisposable? _subscription;
    private volatile GatewaySnapshot _current;

    public ApiCatalog(GatewayConfigurationMonitor monitor, ExchangeKinds kinds, FingerprintKey fingerprints)
    {
        _monitor = monitor;
        _kinds = kinds;
        _fingerprints = fingerprints;
        _current = new GatewaySnapshot(monitor.CurrentValue, kinds, fingerprints);
        _subscription = monitor.OnChange((options, _) => _current = new GatewaySnapshot(options, _kinds, _fingerprints));
    }

    public GatewaySnapshot Current
    {
        get
        {
            _monitor.EnsureCurrent();
            return _current;
        }
    }

    public ApiDefinition? Find(string? name) => Current.Find(name);

    /// <summary>
    /// The snapshot and API of this request, resolved once per request from its proxy route (the endpoint's
    /// <see cref="RouteModel"/>, as YARP itself reads it): the same answer for authentication, which runs
    /// after routing, and for every proxy step. Before routing nothing is known, and nothing is kept.
    /// </summary>
    public ResolvedApi ForRequest(HttpContext context)
    {
        if (context.Features.Get<ResolvedApi>() is { } resolved)
        {
            return resolved;
        }

        var snapshot = _current;
        if (context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not { } route)
        {
            return new ResolvedApi(snapshot, null, null);
        }

        string? name = null;
        var named = route.Config.Metadata?.TryGetValue(RouteMetadata.Api, out name) == true;
        resolved = new ResolvedApi(snapshot, named ? snapshot.Find(name) : null, named ? name : null);
        context.Features.Set(resolved);
        return resolved;
    }

    public void Dispose() => _subscription?.Dispose();
}

/// <summary>A request's configuration snapshot, its route's API, and the name the route gave (even when that API is gone).</summary>
internal sealed record ResolvedApi(GatewaySnapshot Snapshot, ApiDefinition? Api, string? RouteApiName);
