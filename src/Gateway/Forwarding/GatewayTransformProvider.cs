using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WamsGateway.Configuration;
using WamsGateway.Forwarding.SigV4;
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
        if (context.Route.Metadata?.TryGetValue(RouteMetadata.Api, out var api) == true
            && RouteApiRules.Check(context.Route.RouteId, context.Route.AuthorizationPolicy, api, _options) is { } problem)
        {
            context.Errors.Add(new ArgumentException(problem));
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

        if (api?.Exchange == ExchangeKind.AwsSts)
        {
            // Signed last, by the cluster's client (SigV4SigningHandler), after every other transform.
            context.RequestTransforms.Add(new AwsSigningTransform(api.Region!, api.Service!));
        }
        else if (api?.Exchange is { } kind && kind is not (ExchangeKind.None or ExchangeKind.Passthrough))
        {
            // Whatever a client sent in the credential's header is dropped, then the real one set.
            context.AddRequestHeaderRemove(api.InjectHeader);
            context.RequestTransforms.Add(new DelegatedCredentialTransform(api.InjectHeader));
        }
    }

    private ApiOptions? FindApi(TransformBuilderContext context) =>
        context.Route.Metadata?.TryGetValue(RouteMetadata.Api, out var name) == true && name is not null
            ? _options.Apis.GetValueOrDefault(name)
            : null;
}
