using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;

namespace WamsGateway;

/// <summary>
/// The standalone gateway: the WamsGateway.Yarp package in a host of its own, composed exactly as the
/// docs/your-own-host.md shows, plus what a standalone process adds: the <c>--config</c>
/// file, telemetry, the management listener, and its own token required on every endpoint that does not opt out.
/// </summary>
public static class GatewayApp
{
    /// <exception cref="GatewayConfigurationException">The configuration is invalid; the message lists every problem.</exception>
    /// <param name="args">Command-line arguments, as the process got them.</param>
    /// <param name="configureServices">Replaces services after the gateway's own (tests swap the clock).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddWamsGatewayConfigFile(args);
        var gateway = builder.Configuration.GetSection("Gateway");

        builder.AddWamsGatewayTelemetry();
        builder.AddWamsGatewayManagementListener(gateway);
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddWamsGateway(gateway);
        builder.AddWamsGatewayShutdown();

        // This host has no endpoints of its own but health and metrics: anything else, matched or not,
        // needs the gateway's token (a path no route matches is 401 before it is 404).
        builder.Services.AddAuthentication(WamsGatewayDefaults.AuthenticationScheme);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(WamsGatewayDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        ValidateConfiguration(app);
        app.UseWamsGatewayErrors();
        app.UseWamsGatewayManagementListener();
        app.UseWamsGatewayTrafficPolicies();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapWamsGatewayHealthChecks().OnManagementListener();
        app.MapWamsGatewayMetrics();
        app.MapWamsGatewayDashboard();
        app.MapWamsGatewayAssertionKeys();
        app.MapReverseProxy(proxy => proxy.UseWamsGateway());
        return app;
    }

    /// <summary>The checks the host would run at start, now, so a bad configuration stops before anything listens, every problem listed.</summary>
    private static void ValidateConfiguration(WebApplication app)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            throw new GatewayConfigurationException(ex.Failures.ToList());
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw new GatewayConfigurationException(ex.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures).ToList());
        }
    }
}
