using Yarp.ReverseProxy.Configuration;

namespace WamsGateway.Configuration;

/// <summary>
/// Tells the <see cref="ApiCatalog"/> when YARP has applied a configuration, so a reload is reported once it serves, and
/// when YARP refused one, so readiness says the newest edit is not the one serving.
/// </summary>
internal sealed class RoutesAppliedListener : IConfigChangeListener
{
    private readonly ApiCatalog _catalog;

    public RoutesAppliedListener(ApiCatalog catalog)
    {
        _catalog = catalog;
    }

    public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs) => _catalog.RoutesApplied(proxyConfigs.Any(c => c.Routes.Count > 0));

    public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) => _catalog.RoutesRefused(exception);

    public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception)
    {
    }
}
