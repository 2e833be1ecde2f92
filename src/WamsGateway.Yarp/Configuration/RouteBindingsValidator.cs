using WamsGateway.Exchanges;

namespace WamsGateway.Configuration;

/// <summary>
/// YARP's routes against the gateway's options: a route that names an API names one that is defined and that its
/// authorization policy suits, and its traffic policies are ones the gateway defines. Routes are read from every YARP
/// configuration provider, so an edit that removes an API still named by a route is refused. Each cluster destination's
/// address is an absolute http(s) URL: YARP takes any text and would answer 502 to every request on its routes.
/// </summary>
internal sealed class RouteBindingsValidator : GatewaySettingsValidator
{
    private readonly ExchangeKinds _kinds;
    private readonly IServiceProvider _services;

    public RouteBindingsValidator(ExchangeKinds kinds, IServiceProvider services)
    {
        _kinds = kinds;
        _services = services;
    }

    protected override void Validate(WamsGatewayOptions options, List<string> problems) => ValidateRouteBindings(options, problems);

    /// <summary>An absolute http or https URL with a host.</summary>
    public static bool IsHttpAddress(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    public static string AddressProblem(string cluster, string destination, string? address) =>
        $"ReverseProxy:Clusters:{cluster}:Destinations:{destination}:Address: '{address}' is not an absolute http or https URL.";

    /// <summary>Every route that names an API, from every YARP configuration provider, against these options.</summary>
    private void ValidateRouteBindings(WamsGatewayOptions options, List<string> problems)
    {
        foreach (var provider in _services.GetServices<Yarp.ReverseProxy.Configuration.IProxyConfigProvider>())
        {
            foreach (var cluster in provider.GetConfig().Clusters)
            {
                foreach (var (name, destination) in cluster.Destinations ?? new Dictionary<string, Yarp.ReverseProxy.Configuration.DestinationConfig>())
                {
                    if (!IsHttpAddress(destination.Address))
                    {
                        problems.Add(AddressProblem(cluster.ClusterId, name, destination.Address));
                    }
                }
            }

            foreach (var route in provider.GetConfig().Routes)
            {
                TrafficPolicy.TrafficPolicyValidator.ValidateRoute(options, route, problems);
                if (route.Metadata?.TryGetValue(RouteMetadata.Api, out var api) == true
                    && RouteApiRules.Check(route.RouteId, route.AuthorizationPolicy, api, name => _kinds.RequiresCaller(options, name)) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }
    }
}
