using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WamsGateway.Authentication;
using WamsGateway.Configuration;

namespace WamsGateway.Health;

internal static class HealthExtensions
{
    private const string ReadyTag = WamsGatewayDefaults.ReadinessTag;

    public static IServiceCollection AddGatewayHealthChecks(this IServiceCollection services, GatewayOptions options)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<ConfigurationHealthCheck>("configuration", tags: [ReadyTag]);
        foreach (var name in options.AuthorityNames)
        {
            checks.Add(new HealthCheckRegistration(GatewayAuthority.HealthCheckFor(name),
                sp => AuthorityHealthCheck.For(sp.GetRequiredService<GatewayAuthorities>(), name), failureStatus: null, tags: [ReadyTag]));
        }

        if (options.Redis.Configuration is not null)
        {
            checks.AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag]);
            checks.AddCheck<KeyRingHealthCheck>(KeyRingHealthCheck.Name, tags: [ReadyTag]);
        }

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
