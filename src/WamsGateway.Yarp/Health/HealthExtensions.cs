using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using WamsGateway.Authentication;
using WamsGateway.Configuration;

namespace WamsGateway.Health;

internal static class HealthExtensions
{
    private const string ReadyTag = WamsGatewayDefaults.ReadinessTag;

    /// <summary>
    /// The <c>configuration</c> check, one per authority, and with Redis the <c>redis</c> and <c>key-ring</c> checks:
    /// which there are is read from the gateway's options when the health check service first needs them.
    /// </summary>
    public static IServiceCollection AddGatewayHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ConfigurationHealthCheck>("configuration", tags: [ReadyTag]);
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<WamsGatewayOptions>>((health, gateway) =>
        {
            var options = gateway.Value;
            foreach (var name in options.AuthorityNames)
            {
                health.Registrations.Add(new HealthCheckRegistration(GatewayAuthority.HealthCheckFor(name),
                    sp => AuthorityHealthCheck.For(sp.GetRequiredService<GatewayAuthorities>(), name), failureStatus: null, tags: [ReadyTag]));
            }

            if (options.Redis.Configuration is not null)
            {
                health.Registrations.Add(new HealthCheckRegistration("redis",
                    sp => ActivatorUtilities.GetServiceOrCreateInstance<RedisHealthCheck>(sp), failureStatus: null, tags: [ReadyTag]));
                health.Registrations.Add(new HealthCheckRegistration(KeyRingHealthCheck.Name,
                    sp => ActivatorUtilities.GetServiceOrCreateInstance<KeyRingHealthCheck>(sp), failureStatus: null, tags: [ReadyTag]));
            }
        });

        return services;
    }

    /// <returns>Both endpoints, as one group.</returns>
    public static RouteGroupBuilder MapGatewayHealthChecks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/healthz");
        group.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        group.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
        group.AllowAnonymous();
        return group;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
