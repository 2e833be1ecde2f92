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
        // AddReverseProxy registered YARP's factory (or the host its own): the signing step wraps it.
        var inner = services.Last(d => d.ServiceType == typeof(IForwarderHttpClientFactory) && !d.IsKeyedService);
        services.Remove(inner);
        services.AddSingleton<IForwarderHttpClientFactory>(sp => new SigningForwarderHttpClientFactory(
            (IForwarderHttpClientFactory)(inner.ImplementationInstance ?? inner.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!)),
            sp.GetRequiredService<TimeProvider>()));
        return gateway;
    }
}
