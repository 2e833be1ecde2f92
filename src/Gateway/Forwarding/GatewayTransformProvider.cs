using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WamsGateway.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace WamsGateway.Forwarding;

/// <summary>
/// Adds the gateway's transforms to every route: strip forged identity headers, set the real
/// ones, and drop the caller's <c>Authorization</c> unless the route's API passes it through.
/// Routes are checked when configuration loads, so a bad <c>Api</c> never reaches a request.
/// </summary>
internal sealed class GatewayTransformProvider : ITransformProvider
{
    private readonly GatewayOptions _options;

    public GatewayTransformProvider(IOptions<GatewayOptions> options)
    {
        _options = options.Value;
    }

    public void ValidateRoute(TransformRouteValidationContext context)
    {
        if (context.Route.Metadata?.TryGetValue(RouteMetadata.Api, out var api) == true && !_options.Apis.ContainsKey(api ?? string.Empty))
        {
            context.Errors.Add(new ArgumentException(
                $"ReverseProxy:Routes:{context.Route.RouteId}:Metadata:Api: API '{api}' is not defined under Gateway:Apis."));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        foreach (var header in _options.IdentityHeaders.Keys)
        {
            context.AddRequestHeaderRemove(header);
        }

        context.RequestTransforms.Add(new IdentityHeadersTransform(_options.IdentityHeaders));

        var api = FindApi(context);
        if (api?.Exchange != ExchangeKind.Passthrough)
        {
            context.AddRequestHeaderRemove(HeaderNames.Authorization);
        }
    }

    private ApiOptions? FindApi(TransformBuilderContext context) =>
        context.Route.Metadata?.TryGetValue(RouteMetadata.Api, out var name) == true && name is not null
            ? _options.Apis.GetValueOrDefault(name)
            : null;
}
