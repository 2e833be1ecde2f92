using WamsGateway.Management;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Health and metrics on a port of their own (<c>Gateway:Management:Urls</c>), as the standalone gateway serves them.</summary>
public static class WamsGatewayManagementListenerExtensions
{
    /// <summary>
    /// Reads <c>Management</c> of the gateway's section, validated at start. With <c>Urls</c>: Kestrel listens on
    /// the proxy's URLs and on the management URLs, and endpoints marked <see cref="OnManagementListener{TBuilder}"/>
    /// are served only on the latter, every other endpoint only on the former. Without it, nothing changes.
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <param name="configuration">The gateway's section (<c>Gateway</c> by convention).</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddWamsGatewayManagementListener(this WebApplicationBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddGatewayManagement(configuration);
    }

    /// <summary>On the management listener, anything but a management endpoint is 404, before authentication. Call it before <c>UseAuthentication</c>.</summary>
    /// <param name="app">The host.</param>
    /// <returns>The host.</returns>
    public static WebApplication UseWamsGatewayManagementListener(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseGatewayManagementListener();
    }

    /// <summary>
    /// Serves the endpoints on the management listener only, when there is one (else where every endpoint is):
    /// <c>app.MapWamsGatewayHealthChecks().OnManagementListener()</c>, or an endpoint of the host's own.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoints' conventions.</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <returns>The endpoints.</returns>
    public static TBuilder OnManagementListener<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(ManagementEndpointMetadata.Instance);
    }
}
