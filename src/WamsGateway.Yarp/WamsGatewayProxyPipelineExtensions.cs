using WamsGateway.Assertions;
using WamsGateway.Authorization;
using WamsGateway.Delegation;
using WamsGateway.Errors;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The gateway's steps in YARP's proxy pipeline.</summary>
public static class WamsGatewayProxyPipelineExtensions
{
    /// <summary>
    /// The gateway's rules for every proxied request, then YARP's own steps: the caller (the gateway's token,
    /// required unless the route is <c>"AuthorizationPolicy": "anonymous"</c> and its API needs nobody),
    /// the API's client and scope policy, the exchange, the caller's signed assertion, then session affinity, load balancing and passive
    /// health checks. Use it as the whole pipeline: <c>app.MapReverseProxy(proxy =&gt; proxy.UseWamsGateway())</c>.
    /// </summary>
    /// <param name="proxy">YARP's proxy pipeline.</param>
    /// <returns>The pipeline.</returns>
    public static IReverseProxyApplicationBuilder UseWamsGateway(this IReverseProxyApplicationBuilder proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        proxy.UseBackendResponsesAsIs();
        proxy.UseMiddleware<ApiPolicyMiddleware>();
        proxy.UseMiddleware<WamsGateway.TrafficPolicy.RateLimitMiddleware>();
        proxy.UseMiddleware<DelegationMiddleware>();
        proxy.UseMiddleware<AssertionMiddleware>();
        proxy.UseSessionAffinity();
        proxy.UseLoadBalancing();
        proxy.UsePassiveHealthChecks();
        return proxy;
    }
}
