using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WamsGateway.Configuration;

namespace WamsGateway.Management;

internal static partial class ManagementExtensions
{
    /// <summary>
    /// With <c>Gateway:Management:Urls</c>: Kestrel listens on the proxy's URLs and on the management
    /// URLs, each management connection tagged, and endpoint selection keeps the two apart.
    /// </summary>
    public static WebApplicationBuilder AddGatewayManagement(this WebApplicationBuilder builder, ManagementSettings settings)
    {
        builder.Services.AddSingleton(settings);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ManagementMatcherPolicy>());
        var problems = new List<string>();
        ManagementSettingsValidator.Validate(settings, builder.Configuration, problems);
        if (!settings.Enabled || problems.Count > 0)
        {
            // Invalid URLs are reported, with every other problem, when the options are validated at start.
            return builder;
        }

        // Explicit endpoints make Kestrel ignore urls (it logs that it is "overriding" them), so the
        // proxy's addresses are bound here too, read from the same settings with the same defaults.
        // Kestrel:Endpoints, when present, binds itself as it always does.
        var configuration = builder.Configuration;
        var proxy = ListenAddresses.KestrelEndpointsConfigured(configuration)
            ? []
            : ListenAddresses.ProxyUrls(configuration).Select(url => ListenAddresses.Parse(url) ?? throw new GatewayConfigurationException([$"urls: '{url}' is not a URL Kestrel can listen on."])).ToList();
        var management = settings.UrlList.Select(url => ListenAddresses.Parse(url)!).ToList();
        builder.Services.AddSingleton(new ManagementListeners(proxy.Count == 0 ? "Kestrel:Endpoints" : string.Join(';', proxy), settings.Urls!));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var address in proxy)
            {
                ListenAddresses.Listen(kestrel, address);
            }

            foreach (var address in management)
            {
                ListenAddresses.Listen(kestrel, address, listen => listen.Use(next => connection =>
                {
                    connection.Features.Set(ManagementConnection.Instance);
                    return next(connection);
                }));
            }
        });
        return builder;
    }

    /// <summary>On the management listener, anything but a management endpoint is 404, before authentication.</summary>
    public static WebApplication UseGatewayManagementListener(this WebApplication app)
    {
        if (app.Services.GetService<ManagementListeners>() is null)
        {
            return app;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ManagementExtensions).FullName!);
        var listeners = app.Services.GetRequiredService<ManagementListeners>();
        app.Lifetime.ApplicationStarted.Register(() => LogManagementListener(logger, listeners.Proxy, listeners.Management));
        app.Use((context, next) =>
        {
            // A re-execution after an exception has no endpoint; that answer is the error handler's.
            if (ManagementConnection.Is(context) && !ManagementEndpointMetadata.On(context.GetEndpoint())
                && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>() is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        return app;
    }

    /// <summary>Serves the endpoint on the management listener only, when there is one.</summary>
    public static TBuilder OnManagementListener<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ManagementEndpointMetadata.Instance);

    [LoggerMessage(900, LogLevel.Information, "The proxy listens on {ProxyUrls}; health and metrics are served only on the management listener, {ManagementUrls}. (Kestrel's \"Overriding address(es)\" warning is expected: the gateway binds those addresses itself.)")]
    private static partial void LogManagementListener(ILogger logger, string proxyUrls, string managementUrls);
}
