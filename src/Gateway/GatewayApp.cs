using WamsGateway.Authentication;
using WamsGateway.Authorization;
using WamsGateway.Configuration;
using WamsGateway.Errors;
using WamsGateway.Forwarding;
using WamsGateway.Health;
using WamsGateway.Observability;

namespace WamsGateway;

/// <summary>The gateway as a table of contents: each feature adds itself.</summary>
public static class GatewayApp
{
    /// <exception cref="GatewayConfigurationException">The configuration is invalid; the message lists every problem.</exception>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddGatewayConfiguration(args);
        builder.AddGatewayTelemetry();
        builder.Services
            .AddGatewayErrors()
            .AddGatewayAuthentication()
            .AddGatewayAuthorization()
            .AddGatewayForwarding(builder.Configuration)
            .AddGatewayHealthChecks();

        var app = builder.Build();
        app.UseGatewayErrors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGatewayHealthChecks();
        app.MapGatewayProxy();
        return app;
    }
}
