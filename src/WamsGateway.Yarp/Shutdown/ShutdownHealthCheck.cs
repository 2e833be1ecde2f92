using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WamsGateway.Shutdown;

/// <summary>
/// Readiness check <c>shutdown</c>: Unhealthy from the moment the host is asked to stop (SIGTERM), so
/// <c>/healthz/ready</c> answers 503 and load balancers stop sending new requests while the gateway drains.
/// </summary>
internal sealed class ShutdownHealthCheck : IHealthCheck
{
    private static readonly Task<HealthCheckResult> Serving = Task.FromResult(HealthCheckResult.Healthy("serving"));
    private static readonly Task<HealthCheckResult> Draining = Task.FromResult(HealthCheckResult.Unhealthy("draining: the gateway is stopping and finishes the requests it has"));

    private readonly IHostApplicationLifetime _lifetime;

    public ShutdownHealthCheck(IHostApplicationLifetime lifetime)
    {
        _lifetime = lifetime;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _lifetime.ApplicationStopping.IsCancellationRequested ? Draining : Serving;
}
