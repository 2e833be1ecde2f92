using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WamsGateway.Management;

namespace WamsGateway.Observability;

internal static class TelemetryExtensions
{
    public const string ServiceName = "wamsgateway";

    /// <summary>
    /// Metrics always (<c>/metrics</c> for Prometheus); traces recorded only when they are exported
    /// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), sampled as <c>OTEL_TRACES_SAMPLER</c> says. Without an
    /// exporter, each request still gets a trace context, so <c>traceparent</c> continues to the backend.
    /// </summary>
    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(WamsGatewayDefaults.MeterName)
                // The runtime's own meter (.NET 9 and later): GC, heap, thread pool, exceptions, CPU, as dotnet_*.
                .AddMeter("System.Runtime")
                .AddPrometheusExporter());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // No sampler is set here: the SDK reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG itself.
            telemetry
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments("/healthz"))
                    .AddHttpClientInstrumentation()
                    .AddSource("Yarp.ReverseProxy"))
                .UseOtlpExporter();
        }
        else
        {
            // Recording spans nothing exports costs a third of a proxy's throughput; propagating the context costs nothing.
            builder.Services.AddHostedService<TraceContextPropagation>();
        }

        return builder;
    }

    /// <summary><c>GET /metrics</c>: the Prometheus text exposition, for scrapers; no token needed, none in any label.</summary>
    public static IEndpointRouteBuilder MapGatewayMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous().OnManagementListener();
        return app;
    }
}
