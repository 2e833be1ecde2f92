using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace WamsGateway.Management;

internal static partial class ManagementExtensions
{
    /// <summary>
    /// <c>Gateway:Management</c>, validated at start. With <c>Urls</c>: Kestrel listens on the proxy's URLs
    /// and on the management URLs, each management connection tagged, and endpoint selection keeps the two apart.
    /// </summary>
    public static WebApplicationBuilder AddGatewayManagement(this WebApplicationBuilder builder, IConfiguration gateway)
    {
        var section = gateway.GetSection(ManagementOptions.SectionName);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(ManagementListeners)))
        {
            return builder;
        }

        services.AddWamsGatewaySettingsSection(ManagementOptions.SectionName);
        services.AddOptions<ManagementOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ManagementOptions>>(
            sp => new ManagementOptionsValidator(section.Path + ":" + nameof(ManagementOptions.Urls), sp.GetRequiredService<IConfiguration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ManagementMatcherPolicy>());
        services.AddSingleton<ManagementListeners>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptionsFactory<ManagementOptions>, ManagementListeners>((kestrel, factory, listeners) =>
        {
            // Kestrel's options are read while the host is built, before start-up validation has had its say:
            // invalid URLs are reported there, with every other problem, not from here.
            ManagementOptions options;
            try
            {
                options = factory.Create(Options.DefaultName);
            }
            catch (OptionsValidationException)
            {
                return;
            }

            if (!options.Enabled)
            {
                return;
            }

            // Explicit endpoints make Kestrel ignore urls (it logs that it is "overriding" them), so the
            // proxy's addresses are bound here too, read from the same settings with the same defaults.
            // Kestrel:Endpoints, when present, binds itself as it always does.
            foreach (var address in listeners.ProxyAddresses())
            {
                ListenAddresses.Listen(kestrel, address);
            }

            foreach (var address in options.UrlList.Select(url => ListenAddresses.Parse(url)!))
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
        var options = app.Services.GetRequiredService<IOptions<ManagementOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ManagementExtensions).FullName!);
        var listeners = app.Services.GetRequiredService<ManagementListeners>();
        app.Lifetime.ApplicationStarted.Register(() => LogManagementListener(logger, listeners.Proxy, options.Urls!));
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

    [LoggerMessage(900, LogLevel.Information, "The proxy listens on {ProxyUrls}; health and metrics are served only on the management listener, {ManagementUrls}. (Kestrel's \"Overriding address(es)\" warning is expected: the gateway binds those addresses itself.)")]
    private static partial void LogManagementListener(ILogger logger, string proxyUrls, string managementUrls);
}
