using Microsoft.AspNetCore.Http;

namespace WamsGateway.Management;

/// <summary>The proxy's own addresses, which the gateway binds itself once it has a management listener.</summary>
internal sealed class ManagementListeners
{
    private readonly IConfiguration _configuration;

    public ManagementListeners(IConfiguration configuration)
    {
        _configuration = configuration;
    }

    /// <summary>What the proxy listens on, for the start-up log line.</summary>
    public string Proxy => ListenAddresses.KestrelEndpointsConfigured(_configuration) ? "Kestrel:Endpoints" : string.Join(';', ListenAddresses.ProxyUrls(_configuration));

    /// <summary>The addresses to bind for the proxy: none when <c>Kestrel:Endpoints</c> binds them.</summary>
    /// <exception cref="Configuration.GatewayConfigurationException">One of the proxy's URLs is not one Kestrel can listen on.</exception>
    public IReadOnlyList<BindingAddress> ProxyAddresses() => ListenAddresses.KestrelEndpointsConfigured(_configuration)
        ? []
        : ListenAddresses.ProxyUrls(_configuration)
            .Select(url => ListenAddresses.Parse(url) ?? throw new Configuration.GatewayConfigurationException([$"urls: '{url}' is not a URL Kestrel can listen on."]))
            .ToList();
}
