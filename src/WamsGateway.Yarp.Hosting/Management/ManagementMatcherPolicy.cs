using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;

namespace WamsGateway.Management;

/// <summary>
/// With a management listener, a request on it may match only management endpoints, and a request on
/// the proxy's listener only the others: there <c>/metrics</c> and <c>/healthz/*</c> are paths like any
/// other (a proxy route's, else 404), as if the management endpoints did not exist.
/// </summary>
internal sealed class ManagementMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    private readonly bool _enabled;

    public ManagementMatcherPolicy(IOptions<ManagementOptions> options)
    {
        _enabled = options.Value.Enabled;
    }

    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => _enabled;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onManagement = ManagementConnection.Is(httpContext);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (ManagementEndpointMetadata.On(candidates[i].Endpoint) != onManagement)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
