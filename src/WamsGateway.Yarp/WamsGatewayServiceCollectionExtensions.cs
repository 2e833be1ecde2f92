using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WamsGateway.Assertions;
using WamsGateway.Authentication;
using WamsGateway.Authorization;
using WamsGateway.Caching;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using WamsGateway.Errors;
using WamsGateway.Exchanges;
using WamsGateway.Exchanges.Auth0Delegation;
using WamsGateway.Exchanges.AwsSts;
using WamsGateway.Exchanges.None;
using WamsGateway.Exchanges.Passthrough;
using WamsGateway.Exchanges.TokenExchange;
using WamsGateway.Exchanges.WamsMint;
using WamsGateway.Forwarding;
using WamsGateway.Health;
using WamsGateway.Observability;
using WamsGateway.TrafficPolicy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the gateway to a YARP host's services.</summary>
public static class WamsGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway: token validation under the <see cref="WamsGateway.WamsGatewayDefaults.AuthenticationScheme"/>
    /// scheme, each API's policy and exchange, the delegation cache, the transforms every proxied route
    /// gets, and the <c>configuration</c>, <c>authority</c> and <c>redis</c> health checks. The host's own
    /// endpoints, authentication schemes and policies are left as they are. The options are validated
    /// when the host starts and on every reload of <paramref name="configuration"/>; <c>Apis</c>,
    /// <c>IdentityHeaders</c> and <c>StripHeaders</c> apply to the next request after a valid reload.
    /// Add <see cref="Microsoft.AspNetCore.Builder.WamsGatewayProxyPipelineExtensions.UseWamsGateway"/> to the proxy pipeline.
    /// </summary>
    /// <param name="builder">YARP's builder, from <c>AddReverseProxy()</c>.</param>
    /// <param name="configuration">The gateway's section (<c>Gateway</c> by convention; docs/configuration.md).</param>
    /// <returns>A builder to register exchange kinds of the host's own.</returns>
    public static WamsGatewayBuilder AddWamsGateway(this IReverseProxyBuilder builder, IConfiguration configuration) =>
        builder.AddWamsGateway(configuration, configure: null);

    /// <summary>
    /// Adds the gateway as <see cref="AddWamsGateway(IReverseProxyBuilder, IConfiguration)"/> does, its options set in code
    /// instead of read from configuration: validated the same way when the host starts (an invalid value stops the start
    /// with every problem named), and never reloaded. An API's kind settings go in <see cref="WamsGateway.Configuration.ApiOptions.Settings"/>
    /// (the kind's options type; left null, the kind's defaults).
    /// </summary>
    /// <param name="builder">YARP's builder, from <c>AddReverseProxy()</c>.</param>
    /// <param name="configure">Sets the gateway's options.</param>
    /// <returns>A builder to register exchange kinds of the host's own.</returns>
    public static WamsGatewayBuilder AddWamsGateway(this IReverseProxyBuilder builder, Action<WamsGatewayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddWamsGateway(new ConfigurationBuilder().Build(), configure);
    }

    private static WamsGatewayBuilder AddWamsGateway(this IReverseProxyBuilder builder, IConfiguration configuration, Action<WamsGatewayOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);

        // Nothing is read here: every feature reads the gateway's options when it is first needed (a key-ring certificate aside).

        services.AddSingleton<ExchangeKinds>();
        services.AddOptions<WamsGatewayOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<WamsGatewayOptions>>(sp => new GatewayOptionsSetup(configuration, sp.GetRequiredService<ExchangeKinds>(), sp.GetServices<GatewaySettingsSection>()));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddSingleton<IPostConfigureOptions<WamsGatewayOptions>, ApiSettingsDefaults>();

        // One validator per part, each beside its feature; the options factory runs them all, at start and on every reload.
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>>(sp =>
            new ConfigurationShapeValidator(configuration, sp.GetRequiredService<ExchangeKinds>(), sp.GetServices<GatewaySettingsSection>()));
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>, AuthoritySettingsValidator>();
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>, TrafficPolicyValidator>();
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>, HeaderSettingsValidator>();
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>, DelegationSettingsValidator>();
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>, CacheSettingsValidator>();
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>, WamsGateway.Shutdown.ShutdownSettingsValidator>();
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>, ApiOptionsValidator>();
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>, AssertionSettingsValidator>();
        services.AddSingleton<IValidateOptions<WamsGatewayOptions>, RouteBindingsValidator>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<GatewayConfigurationMonitor>(sp, configuration));
        services.AddSingleton<IOptionsMonitor<WamsGatewayOptions>>(sp => sp.GetRequiredService<GatewayConfigurationMonitor>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Authentication);
        services.AddSingleton(sp => FingerprintKey.From(sp.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Redis));
        services.AddSingleton<ApiCatalog>();
        services.AddSingleton(sp => new WamsGateway.State.WamsGatewayState(sp));
        services.AddSingleton<WamsGateway.State.GatewayCounts>();
        services.AddSingleton<GatewayReloadSignal>();
        services.AddSingleton<Yarp.ReverseProxy.Configuration.IProxyConfigProvider>(sp => sp.GetRequiredService<GatewayReloadSignal>());
        services.AddSingleton<Yarp.ReverseProxy.Configuration.IConfigChangeListener, RoutesAppliedListener>();
        services.TryAddSingleton<GatewayMeter>();
        services.TryAddSingleton<RefusalLog>();

        services
            .AddGatewayErrors()
            .AddGatewayAuthentication()
            .AddGatewayAuthorization()
            .AddGatewayDelegation()
            .AddGatewayCaching(configuration)
            .AddGatewayAssertions()
            .AddGatewayTrafficPolicies()
            .AddGatewayHealthChecks();
        builder
            .AddTransforms<GatewayTransformProvider>()
            .AddConfigFilter<GatewayRoutePolicy>()
            .AddConfigFilter<RouteGenerationFilter>();

        return new WamsGatewayBuilder(services)
            .AddExchangeKind<NoExchange>(NoExchange.Name)
            .AddExchangeKind<PassthroughExchange>(PassthroughExchange.Name)
            .AddExchangeKind<Auth0DelegationExchange>(Auth0DelegationExchange.Name)
            .AddExchangeKind<TokenExchangeExchange>(TokenExchangeExchange.Name)
            .AddExchangeKind<WamsMintExchange>(WamsMintExchange.Name)
            .AddAwsSts();
    }
}
