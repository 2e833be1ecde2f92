using Microsoft.Extensions.Diagnostics.HealthChecks;
using WamsGateway.Caching;

namespace WamsGateway.Health;

/// <summary>
/// Redis is the shared second level, not a dependency of serving: while it is unreachable the
/// gateway answers from memory and exchanges directly, so readiness is Degraded, never Unhealthy.
/// </summary>
internal sealed class RedisHealthCheck : IHealthCheck
{
    private readonly RedisConnection _connection;

    public RedisHealthCheck(RedisConnection connection)
    {
        _connection = connection;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_connection.Multiplexer.IsConnected
            ? HealthCheckResult.Healthy("connected")
            : HealthCheckResult.Degraded("unreachable; serving from the in-process cache and exchanging directly"));
}
