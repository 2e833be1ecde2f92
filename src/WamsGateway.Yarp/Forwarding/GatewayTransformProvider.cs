using WamsGateway.Configuration;
using WamsGateway.Delegation;
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
    private readonly GatewayOptionsValidator _validator;
    private readonly GatewayConfigurationMonitor _monitor;

    public GatewayTransformProvider(ApiCatalog catalog, GatewayOptionsValidator validator, GatewayConfigurationMonitor monitor)
    {
        _catalog = catalog;
        _validator = validator;
        _monitor = monitor;
    }

    public void ValidateRoute(TransformRouteValidationContext context)
    {
        if (context.Route.Metadata?.TryGetValue(RouteMetadata.Api, out var api) == true)
        {
            var options = _monitor.CurrentValue;
            if (RouteApiRules.Check(context.Route.RouteId, context.Route.AuthorizationPolicy, api, name => _validator.RequiresCaller(options, name)) is { } problem)
            {
                context.Errors.Add(new ArgumentException(problem));
            }
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.RequestTransforms.Add(new GatewayRequestTransform(_catalog));
}

/// <summary>
/// One per route, reading the request's configuration snapshot, so a reload applies to the next request
/// without YARP rebuilding its routes: strip every inbound credential and identity header (the caller's
/// <c>Authorization</c> stays only when the route's API passes it through), set the identity headers, and
/// let the API's exchange kind put its credential on.
/// </summary>
internal sealed class GatewayRequestTransform : RequestTransform
{
    private readonly ApiCatalog _catalog;

    public GatewayRequestTransform(ApiCatalog catalog)
    {
        _catalog = catalog;
    }

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        var (snapshot, api, _) = _catalog.ForRequest(context.HttpContext);
        await (api?.Kind.KeepsCallerAuthorization == true ? snapshot.StripKeepingAuthorization : snapshot.Strip).ApplyAsync(context);
        await snapshot.IdentityHeaders.ApplyAsync(context);
        if (api is { Kind.ExchangesCredential: true })
        {
            var credential = context.HttpContext.Features.Get<DelegatedCredentialFeature>()?.Credential
                ?? throw new InvalidOperationException("The delegation step did not run for a route whose API exchanges credentials.");
            api.Kind.Apply(context, api, credential);
        }
    }
}
