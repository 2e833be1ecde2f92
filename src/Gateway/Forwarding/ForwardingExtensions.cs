using WamsGateway.Authorization;
using WamsGateway.Delegation;
using WamsGateway.Errors;
using WamsGateway.Forwarding.SigV4;

namespace WamsGateway.Forwarding;

internal static class ForwardingExtensions
{
    public static IServiceCollection AddGatewayForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        // Registered before YARP's own, which YARP then leaves alone.
        services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, SigningForwarderHttpClientFactory>();
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
            proxy.UseMiddleware<AwsPayloadMiddleware>();
            proxy.UseMiddleware<DelegationMiddleware>();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }
}
