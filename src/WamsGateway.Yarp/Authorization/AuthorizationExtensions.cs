using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;

namespace WamsGateway.Authorization;

internal static class AuthorizationExtensions
{
    /// <summary>
    /// The gateway's policy, by name: the host's default and fallback policies stay as the host set them. The policy
    /// evaluator becomes <see cref="GatewayPolicyEvaluator"/> unless the host registered one of its own.
    /// </summary>
    public static IServiceCollection AddGatewayAuthorization(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(WamsGatewayDefaults.AuthorizationPolicy, policy => policy
                .AddAuthenticationSchemes(WamsGatewayDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());
        var evaluator = services.LastOrDefault(d => d.ServiceType == typeof(IPolicyEvaluator));
        if (evaluator is null || evaluator.ImplementationType == typeof(PolicyEvaluator))
        {
            services.RemoveAll<IPolicyEvaluator>();
            services.TryAddTransient<PolicyEvaluator>();
            services.TryAddSingleton<AuthorizationHandlersInUse>();
            services.AddSingleton<IPolicyEvaluator, GatewayPolicyEvaluator>();
        }

        return services;
    }
}

/// <summary>
/// A proxied route that names no <c>AuthorizationPolicy</c> gets the gateway's, so the endpoint asks for
/// the gateway's token (and answers with its RFC 6750 challenge) whatever the host's fallback policy is.
/// </summary>
internal sealed class GatewayRoutePolicy : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => ValueTask.FromResult(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(string.IsNullOrEmpty(route.AuthorizationPolicy) ? route with { AuthorizationPolicy = WamsGatewayDefaults.AuthorizationPolicy } : route);
}
