using System.Collections.Concurrent;
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
    public GatewaySnapshot(WamsGatewayOptions options, ExchangeKinds kinds, FingerprintKey fingerprints, long generation)
    {
        Generation = generation;
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
        var prefixes = kinds.OwnedHeaderPrefixes.Concat(options.EffectiveStripHeaderPrefixes).ToList();
        Strip = new CredentialHeadersTransform(CredentialHeadersTransform.NamesFor(options, credentialHeaders, keepAuthorization: false), prefixes);
        StripKeepingAuthorization = new CredentialHeadersTransform(CredentialHeadersTransform.NamesFor(options, credentialHeaders, keepAuthorization: true), prefixes);
        // Headers that carry the issuer go only where a user id alone is ambiguous: APIs (and routes without one) that take several authorities.
        IdentityHeaders = new IdentityHeadersTransform(options.IdentityHeaders.Where(h => h.Value != Authentication.CallerClaims.IssuerClaim), options.RequireVerifiedEmail);
        IdentityHeadersWithIssuer = new IdentityHeadersTransform(options.IdentityHeaders, options.RequireVerifiedEmail);
    }

    /// <summary>Which valid configuration this is, counting from 1 at start; routes carry the one they were loaded with.</summary>
    public long Generation { get; }

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

/// <summary>
/// The configuration snapshots, and which one a proxied request is served by: the one its route was loaded with. A valid
/// reload makes a new snapshot while YARP loads the same edit's routes (routes from configuration: YARP's own reload applies
/// the gateway's; any other source: the gateway asks YARP to load again, <see cref="GatewayReloadSignal"/>); YARP binds them to
/// the new snapshot (<see cref="RouteGenerationFilter"/>) and swaps its endpoints in one step, so an edit that changes routes
/// and APIs together is applied together: no request is served by a new route and an old API, or the other way round.
/// </summary>
internal sealed class ApiCatalog : IDisposable
{
    /// <summary>The route metadata key that names the snapshot a route was loaded with.</summary>
    public const string GenerationMetadata = "WamsGateway.Generation";

    /// <summary>
    /// How many of the newest snapshots are kept for routes YARP is loading; the ones YARP's applied routes are bound to
    /// are kept besides, however many newer ones follow (YARP may refuse edit after edit of its routes while the gateway's
    /// own section keeps changing).
    /// </summary>
    private const int KeptGenerations = 8;

    private readonly GatewayConfigurationMonitor _monitor;
    private readonly ExchangeKinds _kinds;
    private readonly FingerprintKey _fingerprints;
    private readonly GatewayReloadSignal _signal;
    private readonly ConcurrentDictionary<long, GatewaySnapshot> _generations = new();

    // Each loaded route's resolution, made on its first request: a route's configuration and the snapshot it is bound to
    // never change (a reload loads new routes), so no request looks its API up by name again.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<RouteModel, ResolvedApi> _byRoute = new();
    private readonly IDisposable? _subscription;
    private readonly Lock _gate = new();
    private long _generation;
    private long _routesGeneration;
    private long _pendingLowest = long.MaxValue;
    private long _liveLowest = 1;
    private long _liveHighest = 1;
    private long _reportedGeneration = 1;
    private volatile GatewaySnapshot _current;

    public ApiCatalog(GatewayConfigurationMonitor monitor, ExchangeKinds kinds, FingerprintKey fingerprints, GatewayReloadSignal signal)
    {
        _monitor = monitor;
        _kinds = kinds;
        _fingerprints = fingerprints;
        _signal = signal;
        _current = Create(monitor.CurrentValue);
        _subscription = monitor.OnChange((options, _) =>
        {
            _current = Create(options);

            // Routes from configuration are being loaded by YARP already (it is what applied this reload); any other
            // source is asked to load again, so its routes are bound to the new snapshot.
            if (!monitor.RoutesFollowConfiguration)
            {
                _signal.Raise();
            }
        });
    }

    /// <summary>The newest valid configuration: what routes load with, and what a request outside every route reads.</summary>
    public GatewaySnapshot Current
    {
        get
        {
            _monitor.EnsureCurrent();
            return _current;
        }
    }

    public ApiDefinition? Find(string? name) => Current.Find(name);

    /// <summary>The newest configuration YARP's routes serve (event 800); behind <see cref="Current"/> while YARP has not loaded the newest edit's routes.</summary>
    public long AppliedGeneration
    {
        get
        {
            lock (_gate)
            {
                return _reportedGeneration;
            }
        }
    }

    /// <summary>The snapshot a route YARP loads now is bound to: the newest valid one, a reload not yet heard of included.</summary>
    public long BindRoute()
    {
        var generation = Current.Generation;
        InterlockedMax(ref _routesGeneration, generation);
        lock (_gate)
        {
            _pendingLowest = Math.Min(_pendingLowest, generation);
        }

        return generation;
    }

    /// <summary>YARP refused the routes it was loading: the routes it serves keep the snapshots they were bound to.</summary>
    public void RoutesRefused(Exception exception)
    {
        lock (_gate)
        {
            _pendingLowest = long.MaxValue;
        }

        _monitor.ReportRoutesRefused(exception);
    }

    /// <summary>
    /// YARP has applied a configuration: its routes serve the snapshot they were bound to (without routes, the newest),
    /// so each reload up to that one is reported applied, once.
    /// </summary>
    /// <param name="anyRoutes">Whether the applied configuration has routes (each bound by <see cref="BindRoute"/>).</param>
    public void RoutesApplied(bool anyRoutes)
    {
        _monitor.EnsureCurrent();
        var applied = anyRoutes ? Volatile.Read(ref _routesGeneration) : _current.Generation;
        lock (_gate)
        {
            // The routes now served are bound to the snapshots from the lowest bound in this load to the newest.
            if (anyRoutes)
            {
                _liveLowest = Math.Min(_pendingLowest, applied);
                _liveHighest = applied;
                _pendingLowest = long.MaxValue;
                Prune();
            }

            for (var generation = _reportedGeneration + 1; generation <= applied; generation++)
            {
                if (_generations.TryGetValue(generation, out var snapshot))
                {
                    _monitor.ReportApplied(snapshot.Apis.Count);
                }
            }

            _reportedGeneration = Math.Max(_reportedGeneration, applied);
        }

        _monitor.ReportRoutesApplied();
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    /// <summary>
    /// The snapshot and API of this request, resolved once per request from its proxy route (the endpoint's
    /// <see cref="RouteModel"/>, as YARP itself reads it): the snapshot the route was loaded with, the same answer for
    /// authentication, which runs after routing, and for every proxy step. Before routing nothing is known, and nothing is kept.
    /// </summary>
    public ResolvedApi ForRequest(HttpContext context)
    {
        if (context.Features.Get<ResolvedApi>() is { } resolved)
        {
            return resolved;
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not { } route)
        {
            return new ResolvedApi(_current, null, null);
        }

        if (_byRoute.TryGetValue(route, out resolved))
        {
            context.Features.Set(resolved);
            return resolved;
        }

        string? name = null;
        GatewaySnapshot? bound = null;
        var metadata = route.Config.Metadata;
        var isBound = metadata?.TryGetValue(GenerationMetadata, out var generation) == true
            && long.TryParse(generation, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && _generations.TryGetValue(number, out bound);
        var snapshot = isBound ? bound! : _current;
        var named = metadata?.TryGetValue(RouteMetadata.Api, out name) == true;
        resolved = new ResolvedApi(snapshot, named ? snapshot.Find(name) : null, named ? name : null);
        if (isBound)
        {
            // A route bound to no kept snapshot reads the newest, which changes: only a bound one is kept.
            _byRoute.AddOrUpdate(route, resolved);
        }

        context.Features.Set(resolved);
        return resolved;
    }

    public void Dispose() => _subscription?.Dispose();

    private GatewaySnapshot Create(WamsGatewayOptions options)
    {
        lock (_gate)
        {
            var snapshot = new GatewaySnapshot(options, _kinds, _fingerprints, ++_generation);
            _generations[snapshot.Generation] = snapshot;
            Prune();
            return snapshot;
        }
    }

    /// <summary>Drops the snapshots neither among the newest nor bound to a route YARP serves. Called under the gate.</summary>
    private void Prune()
    {
        foreach (var generation in _generations.Keys)
        {
            if (generation <= _generation - KeptGenerations && (generation < _liveLowest || generation > _liveHighest))
            {
                _generations.TryRemove(generation, out _);
            }
        }
    }
}

/// <summary>A request's configuration snapshot, its route's API, and the name the route gave (even when that API is gone).</summary>
internal sealed record ResolvedApi(GatewaySnapshot Snapshot, ApiDefinition? Api, string? RouteApiName);
