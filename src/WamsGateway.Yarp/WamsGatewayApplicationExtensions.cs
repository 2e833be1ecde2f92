using WamsGateway.Assertions;
using WamsGateway.Authorization;
using WamsGateway.Delegation;
using WamsGateway.Errors;
using WamsGateway.Health;
using WamsGateway.Management;
using WamsGateway.Observability;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The gateway's steps in YARP's proxy pipeline.</summary>
public static class WamsGatewayProxyPipelineExtensions
{
    /// <summary>
    /// The gateway's rules for every proxied request, then YARP's own steps: the caller (the gateway's token,
    /// required unless the route is <c>"AuthorizationPolicy": "anonymous"</c> and its API needs nobody),
    /// the API's client and scope policy, the exchange, the caller's signed assertion, then session affinity, load balancing and passive
    /// health checks. Use it as the whole pipeline: <c>app.MapReverseProxy(proxy =&gt; proxy.UseWamsGateway())</c>.
    /// </summary>
    /// <param name="proxy">YARP's proxy pipeline.</param>
    /// <returns>The pipeline.</returns>
    public static IReverseProxyApplicationBuilder UseWamsGateway(this IReverseProxyApplicationBuilder proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        proxy.UseBackendResponsesAsIs();
        proxy.UseMiddleware<ApiPolicyMiddleware>();
        proxy.UseMiddleware<WamsGateway.TrafficPolicy.RateLimitMiddleware>();
        proxy.UseMiddleware<DelegationMiddleware>();
        proxy.UseMiddleware<AssertionMiddleware>();
        proxy.UseSessionAffinity();
        proxy.UseLoadBalancing();
        proxy.UsePassiveHealthChecks();
        return proxy;
    }
}

/// <summary>The gateway's health and metrics endpoints, for any host.</summary>
public static class WamsGatewayEndpointRouteBuilderExtensions
{
    /// <summary>
    /// <c>GET /healthz/live</c> (the process answers) and <c>GET /healthz/ready</c> (<c>configuration</c>,
    /// <c>authority</c> and, with Redis, <c>redis</c>), anonymous, as JSON.
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <returns>The endpoints.</returns>
    public static IEndpointRouteBuilder MapWamsGatewayHealthChecks(this IEndpointRouteBuilder endpoints) => endpoints.MapGatewayHealthChecks();

    /// <summary>
    /// <c>GET /metrics</c>, the Prometheus text exposition, anonymous. Needs OpenTelemetry metrics with the
    /// Prometheus exporter (<see cref="WamsGatewayTelemetryExtensions.AddWamsGatewayTelemetry"/> sets both up).
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <returns>The endpoints.</returns>
    public static IEndpointRouteBuilder MapWamsGatewayMetrics(this IEndpointRouteBuilder endpoints) => endpoints.MapGatewayMetrics();

    /// <summary>
    /// With <c>Gateway:Assertion:Issuer</c>: <c>GET {Issuer}.well-known/openid-configuration</c> and
    /// <c>GET {Issuer}.well-known/jwks.json</c>, anonymous and ahead of every proxied route, so a backend
    /// validates the gateway's assertions with its stock JWT middleware, the gateway's issuer as authority.
    /// </summary>
    /// <param name="endpoints">The host's endpoints.</param>
    /// <returns>The endpoints.</returns>
    public static IEndpointRouteBuilder MapWamsGatewayAssertionKeys(this IEndpointRouteBuilder endpoints) => endpoints.MapGatewayAssertionKeys();
}

/// <summary>What the standalone gateway adds around the package; a host may use any of it.</summary>
public static class WamsGatewayTelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics (ASP.NET Core, HttpClient and the gateway's own meter) with the Prometheus
    /// exporter for <c>/metrics</c>; with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, OTLP export of metrics and of
    /// traces (ASP.NET Core, HttpClient, YARP), sampled as <c>OTEL_TRACES_SAMPLER</c> says. Without it no span
    /// is recorded, and each request still carries its W3C trace context to the backend.
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddWamsGatewayTelemetry(this WebApplicationBuilder builder) => builder.AddGatewayTelemetry();

    /// <summary>
    /// An unhandled exception, and a body-less 4xx or 5xx of the host's own, become <c>application/problem+json</c>
    /// with a <c>traceId</c> and never a stack trace; a backend's own answers pass through untouched.
    /// </summary>
    /// <param name="app">The host.</param>
    /// <returns>The host.</returns>
    public static WebApplication UseWamsGatewayErrors(this WebApplication app) => app.UseGatewayErrors();

    /// <summary>
    /// The routes' <c>CorsPolicy</c> and <c>TimeoutPolicy</c> (<c>Gateway:Cors</c>, <c>Gateway:Timeouts</c>): ASP.NET Core's CORS
    /// middleware, which answers preflight requests itself (no token needed, never proxied), and its request-timeout
    /// middleware (over the policy's time, 504 problem+json type <c>timeout</c>); every answer on a CORS route says
    /// <c>Vary: Origin</c>. Call it after routing and before
    /// <c>UseAuthentication()</c>. Rate limits need nothing here: the gateway's proxy pipeline counts them.
    /// </summary>
    /// <param name="app">The host.</param>
    /// <returns>The host.</returns>
    public static WebApplication UseWamsGatewayTrafficPolicies(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseCors();
        app.Use(WamsGateway.TrafficPolicy.VaryByOrigin.InvokeAsync);
        app.UseRequestTimeouts();
        return app;
    }
}

/// <summary>What a configuration does, for a host that checks one before it serves (the standalone gateway's <c>--check-config</c>).</summary>
public static class WamsGatewayConfigurationCheckExtensions
{
    /// <summary>
    /// Writes what the gateway's validated configuration does: each API with its exchange kind, the routes that name it
    /// (with their path and YARP policies) and its own policies; the routes that name no API; the start-up warnings.
    /// Call it on a built host whose options have been validated; it listens on nothing and calls no authority.
    /// </summary>
    /// <param name="services">The built host's services.</param>
    /// <param name="output">Where the table goes.</param>
    public static void WriteWamsGatewayConfigurationSummary(this IServiceProvider services, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        WamsGateway.Configuration.ConfigurationSummary.Write(services, output);
    }
}

/// <summary>How a standalone gateway leaves its fleet on SIGTERM, for a host that wants the same.</summary>
public static class WamsGatewayShutdownExtensions
{
    /// <summary>
    /// Drain on stop (<c>Gateway:Shutdown</c>): from SIGTERM on, the readiness check <c>shutdown</c> is Unhealthy
    /// (<c>/healthz/ready</c> answers 503) while every request, new connections included, is served for
    /// <c>DrainDelay</c> (default 5 s); then the listeners close and requests in flight have <c>Timeout</c>
    /// (default 25 s) to finish. Sets the host's shutdown timeout to the sum of the two.
    /// </summary>
    /// <param name="builder">The host's builder, after <c>AddWamsGateway</c>.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddWamsGatewayShutdown(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WamsGateway.Shutdown.ShutdownExtensions.AddGatewayShutdown(builder.Services);
        return builder;
    }
}

/// <summary>Health and metrics on a port of their own (<c>Gateway:Management:Urls</c>), for a host that wants the standalone gateway's split.</summary>
public static class WamsGatewayManagementListenerExtensions
{
    /// <summary>
    /// With <c>Gateway:Management:Urls</c>: Kestrel listens on the proxy's URLs and on the management URLs,
    /// and <c>/healthz/*</c> and <c>/metrics</c> are served only on the latter. Without it, nothing changes.
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <param name="configuration">The gateway's section.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddWamsGatewayManagementListener(this WebApplicationBuilder builder, IConfiguration configuration) =>
        builder.AddGatewayManagement(WamsGateway.Configuration.GatewayOptionsSetup.BindForRegistration(configuration).Management);

    /// <summary>On the management listener, anything but a management endpoint is 404, before authentication. Call it before <c>UseAuthentication</c>.</summary>
    /// <param name="app">The host.</param>
    /// <returns>The host.</returns>
    public static WebApplication UseWamsGatewayManagementListener(this WebApplication app) => app.UseGatewayManagementListener();
}
