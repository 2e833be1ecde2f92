namespace Microsoft.AspNetCore.Builder;

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
