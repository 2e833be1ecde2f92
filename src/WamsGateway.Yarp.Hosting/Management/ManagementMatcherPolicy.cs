using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;

namespace WamsGateway.Management;

/// <summary>
/// With a management listener, a request on it may match only management endpoints, and a request on
/// the proxy's listener only the others: there <c>/metrics</c>, <c>/healthz/*</c> and <c>/dashboard/*</c> are paths
/// like any other (a proxy route's, else 404), as if the management endpoints did not exist. The routing tree
/// branches on the listener before it branches on the method, so a management endpoint's path never answers 405
/// on the proxy's listener (the method's branch would otherwise be built from endpoints the proxy listener never serves).
/// </summary>
internal sealed class ManagementMatcherPolicy : MatcherPolicy, INodeBuilderPolicy
{
    private readonly bool _enabled;

    public ManagementMatcherPolicy(IOptions<ManagementOptions> options)
    {
        _enabled = options.Value.Enabled;
    }

    /// <summary>Before ASP.NET Core's method policy (-1000), which builds its 405 answers from the endpoints left.</summary>
    public override int Order => -1100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => _enabled;

    public IReadOnlyList<PolicyNodeEdge> GetEdges(IReadOnlyList<Endpoint> endpoints) =>
    [
        new(true, endpoints.Where(ManagementEndpointMetadata.On).ToList()),
        new(false, endpoints.Where(e => !ManagementEndpointMetadata.On(e)).ToList()),
    ];

    public PolicyJumpTable BuildJumpTable(int exitDestination, IReadOnlyList<PolicyJumpTableEdge> edges)
    {
        int management = exitDestination, proxy = exitDestination;
        foreach (var edge in edges)
        {
            if ((bool)edge.State)
            {
                management = edge.Destination;
            }
            else
            {
                proxy = edge.Destination;
            }
        }

        return new ListenerJumpTable(management, proxy);
    }

    private sealed class ListenerJumpTable(int management, int proxy) : PolicyJumpTable
    {
        public override int GetDestination(HttpContext httpContext) => ManagementConnection.Is(httpContext) ? management : proxy;
    }
}
