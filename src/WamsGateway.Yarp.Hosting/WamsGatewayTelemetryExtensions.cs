using WamsGateway.Management;
using WamsGateway.Observability;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The standalone gateway's telemetry: OpenTelemetry with Prometheus and OTLP, for a host that has none of its own.</summary>
public static class WamsGatewayTelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics (ASP.NET Core, HttpClient, the gateway's <see cref="WamsGateway.WamsGatewayDefaults.MeterName"/>
    /// meter and the runtime's <c>System.Runtime</c>) with the Prometheus exporter for <c>/metrics</c>; with
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, OTLP export of metrics and of traces (ASP.NET Core, HttpClient, YARP),
    /// sampled as <c>OTEL_TRACES_SAMPLER</c> says. Without it no span is recorded, and each request still
    /// carries its W3C trace context to the backend.
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddWamsGatewayTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddGatewayTelemetry();
    }

    /// <summary>
    /// <c>GET /metrics</c>, the Prometheus text exposition, anonymous, on the management listener when there is one.
    /// Needs <see cref="AddWamsGatewayTelemetry"/> (or OpenTelemetry metrics with the Prometheus exporter of the host's own).
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <returns>The metrics endpoint's conventions.</returns>
    public static IEndpointConventionBuilder MapWamsGatewayMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous().OnManagementListener();
    }
}
