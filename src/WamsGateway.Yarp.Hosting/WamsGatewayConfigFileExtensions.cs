using WamsGateway;
using WamsGateway.Configuration;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The standalone gateway's configuration file: <c>--config &lt;path&gt;</c> or <c>GATEWAY_CONFIG</c>.</summary>
public static class WamsGatewayConfigFileExtensions
{
    /// <summary>The health check that reports a change of the file that could not be read (Degraded; the last good configuration serves).</summary>
    public const string HealthCheckName = "configuration-file";

    /// <summary>
    /// With <c>--config &lt;path&gt;</c> in <paramref name="args"/> (or <c>GATEWAY_CONFIG</c>): one more JSON file, above
    /// <c>appsettings*.json</c> and below environment variables and the command line, watched for changes
    /// (<c>DOTNET_USE_POLLING_FILE_WATCHER</c> polls it), with the readiness check <see cref="HealthCheckName"/>.
    /// Without either, nothing changes.
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <param name="args">The process's command-line arguments.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="GatewayConfigurationException">The file is missing, unreadable, or not a JSON object.</exception>
    public static WebApplicationBuilder AddWamsGatewayConfigFile(this WebApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(args);
        if (GatewayConfigFile.Add(builder.Configuration, args) is { } status)
        {
            builder.Services.AddSingleton(status);
            builder.Services.AddHostedService<ConfigFileLogging>();
            builder.Services.AddHealthChecks().AddCheck(HealthCheckName, status, tags: [WamsGatewayDefaults.ReadinessTag]);
        }

        return builder;
    }
}
