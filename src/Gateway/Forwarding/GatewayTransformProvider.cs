using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Forwarding.SigV4;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace WamsGateway.Forwarding;

/// <summary>
/// Adds the gateway's transforms to every route: strip every inbound credential and identity header
/// (the caller's <c>Authorization</c> stays only when the route's API passes it through), then set
/// the real ones.
/// Routes are checked when configuration loads, so a bad <c>Api</c> never reaches a request.
/// </summary>
internal sealed class GatewayTransformProvider : ITransformProvider
{
    private readonly GatewayOptions _options;

    // The header names to strip, normalised once: one set for Passthrough routes (the caller's
    // validated Authorization travels on), one for every other route.
    private readonly FrozenDictionary<string, string?> _strip;
    private readonly FrozenDictionary<string, string?> _stripKeepingAuthorization;

    public GatewayTransformProvider(IOptions<GatewayOptions> options)
    {
        _options = options.Value;
        _strip = CredentialHeadersTransform.NamesFor(_options, keepAuthorization: false);
        _stripKeepingAuthorization = CredentialHeadersTransform.NamesFor(_options, keepAuthorization: true);
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
        var api = FindApi(context);
        var passthrough = api?.Exchange == ExchangeKind.Passthrough;

        // First: every inbound copy of every credential and identity header goes, whatever the route.
        context.RequestTransforms.Add(new CredentialHeadersTransform(passthrough ? _stripKeepingAuthorization : _strip));
        context.RequestTransforms.Add(new IdentityHeadersTransform(_options.IdentityHeaders));

        if (api?.Exchange == ExchangeKind.AwsSts)
        {
            // Signed last, by the cluster's client (SigV4SigningHandler), after every other transform.
            context.RequestTransforms.Add(new AwsSigningTransform(api.Region!, api.Service!));
        }
        else if (api?.Exchange is { } kind && kind is not (ExchangeKind.None or ExchangeKind.Passthrough))
        {
            // Whatever a client sent in the credential's header is gone; the real one is set.
            context.RequestTransforms.Add(new DelegatedCredentialTransform(api.InjectHeader));
        }
    }

    private ApiOptions? FindApi(TransformBuilderContext context) =>
        context.Route.Metadata?.TryGetValue(RouteMetadata.Api, out var name) == true && name is not null
            ? _options.Apis.GetValueOrDefault(name)
            : null;
}
