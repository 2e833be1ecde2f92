using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;

namespace WamsGateway.Shutdown;

internal static class ShutdownExtensions
{
    /// <summary>The readiness check's name.</summary>
    public const string HealthCheckName = "shutdown";

    /// <summary>The <c>shutdown</c> readiness check, the drain delay, and the host's shutdown timeout covering delay and timeout.</summary>
    public static IServiceCollection AddGatewayShutdown(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ShutdownHealthCheck>(HealthCheckName, tags: [WamsGatewayDefaults.ReadinessTag]);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DrainOnShutdown>());
        services.AddOptions<HostOptions>().Configure<IServiceProvider>((host, provider) =>
        {
            // The host reads its options while it is built, before start-up validation has had its say:
            // an invalid Gateway section is reported there, with every other problem, not from here.
            try
            {
                host.ShutdownTimeout = provider.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Shutdown.Total;
            }
            catch (OptionsValidationException)
            {
            }
        });
        return services;
    }
}
