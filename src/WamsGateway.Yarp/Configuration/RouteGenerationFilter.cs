using System.Globalization;
using Yarp.ReverseProxy.Configuration;

namespace WamsGateway.Configuration;

/// <summary>
/// Binds each route YARP loads to the gateway's newest valid configuration snapshot (route metadata
/// <see cref="ApiCatalog.GenerationMetadata"/>), so a request is served by its route and the APIs of one edit:
/// until YARP swaps its endpoints, requests on the old routes keep the snapshot those routes were loaded with.
/// </summary>
internal sealed class RouteGenerationFilter : IProxyConfigFilter
{
    private readonly ApiCatalog _catalog;

    public RouteGenerationFilter(ApiCatalog catalog)
    {
        _catalog = catalog;
    }

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => ValueTask.FromResult(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        var metadata = route.Metadata is null ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) : new Dictionary<string, string>(route.Metadata, StringComparer.OrdinalIgnoreCase);
        metadata[ApiCatalog.GenerationMetadata] = _catalog.BindRoute().ToString(CultureInfo.InvariantCulture);
        return ValueTask.FromResult(route with { Metadata = metadata });
    }
}
