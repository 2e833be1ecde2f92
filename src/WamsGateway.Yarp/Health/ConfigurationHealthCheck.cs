using Microsoft.Extensions.Diagnostics.HealthChecks;
using WamsGateway.Configuration;

namespace WamsGateway.Health;

/// <summary>
/// Healthy while the newest configuration is the one serving; Degraded while a refused reload leaves an older one in place,
/// or while YARP refuses the newest routes.
/// </summary>
internal sealed class ConfigurationHealthCheck : IHealthCheck
{
    private readonly GatewayConfigurationMonitor _monitor;

    public ConfigurationHealthCheck(GatewayConfigurationMonitor monitor)
    {
        _monitor = monitor;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        _monitor.EnsureCurrent();
        return Task.FromResult(_monitor.LastRefused
            ? HealthCheckResult.Degraded($"The last reload was refused ({_monitor.RefusedProblems.Count} problem(s), logged); the last valid configuration is serving")
            : _monitor.RoutesRefused
                ? HealthCheckResult.Degraded("The routes of the last edit were refused (logged); each route serves with the configuration it was loaded with")
                : HealthCheckResult.Healthy("valid"));
    }
}
