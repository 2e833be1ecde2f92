using Microsoft.Extensions.DependencyInjection.Extensions;
using WamsGateway.Authentication;
using WamsGateway.Authorization;
using WamsGateway.Caching;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using WamsGateway.Errors;
using WamsGateway.Forwarding;
using WamsGateway.Health;
using WamsGateway.Management;
using WamsGateway.Observability;

namespace WamsGateway;

/// <summary>The gateway as a table of contents: each feature adds itself.</summary>
public static class GatewayApp
{
    /// <exception cref="GatewayConfigurationException">The configuration is invalid; the message lists every problem.</exception>
    /// <param name="args">Command-line arguments, as the process got them.</param>
    /// <param name="configureServices">Replaces services after the gateway's own (tests swap the clock).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.TryAddSingleton(TimeProvider.System);
        var options = builder.AddGatewayConfiguration(args);
        builder.AddGatewayTelemetry();
        builder.AddGatewayManagement(options);
        builder.Services
            .AddGatewayErrors()
            .AddGatewayAuthentication()
            .AddGatewayAuthorization()
            .AddGatewayDelegation()
            .AddGatewayCaching(options)
            .AddGatewayForwarding(builder.Configuration)
            .AddGatewayHealthChecks(options);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseGatewayErrors();
        app.UseGatewayManagementListener(options);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGatewayHealthChecks();
        app.MapGatewayMetrics();
        app.MapGatewayProxy();
        return app;
    }
}
