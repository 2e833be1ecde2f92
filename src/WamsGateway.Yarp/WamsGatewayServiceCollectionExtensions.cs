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
    public static WamsGatewayBuilder AddWamsGateway(this IReverseProxyBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);

        // Nothing is read here: every feature reads the gateway's options when it is first needed (a key-ring certificate aside).

        services.AddSingleton<ExchangeKinds>();
        services.AddOptions<GatewayOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<GatewayOptions>>(sp => new GatewayOptionsSetup(configuration, sp.GetRequiredService<ExchangeKinds>(), sp.GetServices<GatewaySettingsSection>()));

        // One validator per part, each beside its feature; the options factory runs them all, at start and on every reload.
        services.AddSingleton<IValidateOptions<GatewayOptions>>(sp =>
            new ConfigurationShapeValidator(configuration, sp.GetRequiredService<ExchangeKinds>(), sp.GetServices<GatewaySettingsSection>()));
        services.AddSingleton<IValidateOptions<GatewayOptions>, AuthoritySettingsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, TrafficPolicyValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, HeaderSettingsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, DelegationSettingsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, CacheSettingsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, WamsGateway.Shutdown.ShutdownSettingsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, ApiOptionsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, AssertionSettingsValidator>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, RouteBindingsValidator>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<GatewayConfigurationMonitor>(sp, configuration));
        services.AddSingleton<IOptionsMonitor<GatewayOptions>>(sp => sp.GetRequiredService<GatewayConfigurationMonitor>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Authentication);
        services.AddSingleton(sp => FingerprintKey.From(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Redis));
        services.AddSingleton<ApiCatalog>();
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
