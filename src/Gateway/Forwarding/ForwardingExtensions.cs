using WamsGateway.Authorization;
using WamsGateway.Delegation;
using WamsGateway.Errors;

namespace WamsGateway.Forwarding;

internal static class ForwardingExtensions
{
    public static IServiceCollection AddGatewayForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddTransforms<GatewayTransformProvider>();
        return services;
    }

    public static WebApplication MapGatewayProxy(this WebApplication app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.UseBackendResponsesAsIs();
            proxy.UseMiddleware<ApiPolicyMiddleware>();
            proxy.UseMiddleware<DelegationMiddleware>();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }
}
