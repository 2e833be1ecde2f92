using WamsGateway.Assertions;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace WamsGateway.Forwarding;

/// <summary>
/// Adds the gateway's transform to every route. Routes are checked when YARP loads them, against the
/// gateway's newest valid configuration, so a route naming an undefined API never loads.
/// </summary>
internal sealed class GatewayTransformProvider : ITransformProvider
{
    private readonly ApiCatalog _catalog;
    private readonly Exchanges.ExchangeKinds _kinds;
    private readonly GatewayConfigurationMonitor _monitor;
    private readonly AssertionIssuer? _assertions;

    public GatewayTransformProvider(ApiCatalog catalog, Exchanges.ExchangeKinds kinds, GatewayConfigurationMonitor monitor, IServiceProvider services)
    {
        _catalog = catalog;
        _kinds = kinds;
        _monitor = monitor;
        _assertions = AssertionExtensions.IsEnabled(services) ? services.GetRequiredService<AssertionIssuer>() : null;
    }

    public void ValidateRoute(TransformRouteValidationContext context)
    {
        var options = _monitor.CurrentValue;
        if (context.Route.Metadata?.TryGetValue(RouteMetadata.Api, out var api) == true
            && RouteApiRules.Check(context.Route.RouteId, context.Route.AuthorizationPolicy, api, name => _kinds.RequiresCaller(options, name)) is { } problem)
        {
            context.Errors.Add(new ArgumentException(problem));
        }

        // A reloaded route's RateLimiterPolicy, CorsPolicy and TimeoutPolicy, in the words start-up uses.
        var policies = new List<string>();
        TrafficPolicy.TrafficPolicyValidator.ValidateRoute(options, context.Route, policies);
        foreach (var policy in policies)
        {
            context.Errors.Add(new ArgumentException(policy));
        }

        // One edit, one outcome: while the gateway refuses its own section, YARP loads none of the routes either, so a
        // refused edit never half-applies (a new anonymous route served while the API it protects is still the old one).
        if (_monitor.LastRefused)
        {
            context.Errors.Add(new ArgumentException(
                $"ReverseProxy:Routes:{context.Route.RouteId}: not loaded, because the same configuration's Gateway section was refused (events 801 and 802); fix it and both load together."));
        }
    }

    /// <summary>Each destination's address is an absolute http(s) URL: YARP takes any text, then answers 502 on every request.</summary>
    public void ValidateCluster(TransformClusterValidationContext context)
    {
        foreach (var (name, destination) in context.Cluster.Destinations ?? new Dictionary<string, Yarp.ReverseProxy.Configuration.DestinationConfig>())
        {
            if (!RouteBindingsValidator.IsHttpAddress(destination.Address))
            {
                // YARP logs this message as it is (event 44): the address is masked as a refused reload's problems are.
                context.Errors.Add(new ArgumentException(RouteBindingsValidator.AddressProblem(context.Cluster.ClusterId, name,
                    destination.Address is null ? null : ConfigurationRedaction.Value(destination.Address))));
            }
        }
    }

    public void Apply(TransformBuilderContext context)
    {
        // YARP adds its Host transform after every provider's when the route names none; added here, before the
        // gateway's own, it has set the Host the backend gets by the time the gateway binds an assertion or signs.
        if (!context.RequestTransforms.Any(t => t is RequestHeaderOriginalHostTransform))
        {
            context.AddOriginalHost(false);
        }

        context.RequestTransforms.Add(new GatewayRequestTransform(_catalog, _assertions));
    }
}

/// <summary>
/// One per route, reading the request's configuration snapshot, so a reload applies to the next request
/// without YARP rebuilding its routes: strip every inbound credential and identity header (the caller's
/// <c>Authorization</c> stays only when the route's API's kind keeps it), set the identity headers, and
/// let the API's exchange kind add what it adds (its credential, a header, a signature), then the caller's signed assertion when the API asks for one.
/// </summary>
internal sealed class GatewayRequestTransform : RequestTransform
{
    private readonly ApiCatalog _catalog;
    private readonly AssertionIssuer? _assertions;

    public GatewayRequestTransform(ApiCatalog catalog, AssertionIssuer? assertions)
    {
        _catalog = catalog;
        _assertions = assertions;
    }

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        var (snapshot, api, _) = _catalog.ForRequest(context.HttpContext);
        await (api?.Kind.KeepsCallerAuthorization == true ? snapshot.StripKeepingAuthorization : snapshot.Strip).ApplyAsync(context);
        await snapshot.IdentityHeadersFor(api).ApplyAsync(context);
        // The kind's outbound hook: its credential (null for a kind that obtains none), a header, a signature.
        api?.Kind.Apply(context, api, context.HttpContext.Features.Get<DelegatedCredentialFeature>()?.Credential);

        if (api?.Options.Assertion is { } assertion)
        {
            AddHeader(context, assertion.Header, Assertion(context, assertion));
        }
    }

    /// <summary>The unbound one the assertion step prepared, or one signed now for this method and the URL the backend receives.</summary>
    private string Assertion(RequestTransformContext context, Assertions.ApiAssertionSettings settings)
    {
        var feature = context.HttpContext.Features.Get<AssertionFeature>()
            ?? throw new InvalidOperationException("The assertion step did not run for a route whose API asks for assertions.");
        if (feature.Unbound is { } unbound)
        {
            return unbound;
        }

        // The method as it is sent (YARP sends "GET" for a caller's "get"), the URL as the backend will see it.
        return _assertions!.Sign(feature.Keys.Signing, settings, context.HttpContext.User, Authentication.CallerClaims.Facts(context.HttpContext),
            context.ProxyRequest.Method.Method, BackendUrl(context), out _);
    }

    /// <summary>
    /// The URL the backend receives, without query or fragment: the destination and the transformed path, with the
    /// Host the request carries when it carries one (the caller's with <c>RequestHeaderOriginalHost</c>, a destination's
    /// <c>Host</c>, or a transform's); YARP's Host transform has run by now (<see cref="GatewayTransformProvider.Apply"/>).
    /// </summary>
    private static string BackendUrl(RequestTransformContext context)
    {
        var url = RequestUtilities.MakeDestinationAddress(context.DestinationPrefix, context.Path, QueryString.Empty);
        return context.ProxyRequest.Headers.Host is { Length: > 0 } host && Uri.TryCreate($"{url.Scheme}://{host}{url.AbsolutePath}", UriKind.Absolute, out var asSent)
            ? asSent.AbsoluteUri
            : url.AbsoluteUri;
    }
}
