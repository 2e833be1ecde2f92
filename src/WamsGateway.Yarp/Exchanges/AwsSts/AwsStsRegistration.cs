using Microsoft.Extensions.DependencyInjection.Extensions;
using WamsGateway.Exchanges.AwsSts.SigV4;
using Yarp.ReverseProxy.Forwarder;

namespace WamsGateway.Exchanges.AwsSts;

internal static class AwsStsRegistration
{
    /// <summary>The kind, and the signing step it needs last in every cluster's client.</summary>
    public static WamsGatewayBuilder AddAwsSts(this WamsGatewayBuilder gateway)
    {
        gateway.AddExchangeKind<AwsStsExchange>(AwsStsExchange.Name);
        var services = gateway.Services;
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IForwarderHttpClientFactory) && !d.IsKeyedService);
        if (inner is not null && inner.ImplementationType != typeof(SigningForwarderHttpClientFactory))
        {
            services.Remove(inner);
            services.AddSingleton<IForwarderHttpClientFactory>(sp => new SigningForwarderHttpClientFactory(
                (IForwarderHttpClientFactory)(inner.ImplementationInstance ?? inner.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!)),
                sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.TryAddSingleton<IForwarderHttpClientFactory>(sp => new SigningForwarderHttpClientFactory(
                ActivatorUtilities.CreateInstance<ForwarderHttpClientFactory>(sp), sp.GetRequiredService<TimeProvider>()));
        }

        return gateway;
    }
}
