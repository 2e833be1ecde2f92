using WamsGateway.Assertions;
using WamsGateway.Health;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The gateway's health endpoints and assertion keys, for any host.</summary>
public static class WamsGatewayEndpointRouteBuilderExtensions
{
    /// <summary>
    /// <c>GET /healthz/live</c> (the process answers) and <c>GET /healthz/ready</c> (every check tagged
    /// <see cref="WamsGateway.WamsGatewayDefaults.ReadinessTag"/>: <c>configuration</c>, each authority's and, with Redis,
    /// <c>redis</c> and <c>key-ring</c>), anonymous, as JSON.
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <returns>The two endpoints' conventions, to add the host's own (a management listener, a host name).</returns>
    public static IEndpointConventionBuilder MapWamsGatewayHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGatewayHealthChecks();
    }

    /// <summary>
    /// With <c>Gateway:Assertion:Issuer</c>: <c>GET {Issuer}.well-known/openid-configuration</c> and
    /// <c>GET {Issuer}.well-known/jwks.json</c>, anonymous and ahead of every proxied route, so a backend
    /// validates the gateway's assertions with its stock JWT middleware, the gateway's issuer as authority.
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <returns>The endpoints.</returns>
    public static IEndpointRouteBuilder MapWamsGatewayAssertionKeys(this IEndpointRouteBuilder endpoints) => endpoints.MapGatewayAssertionKeys();
}
