using WamsGateway.Configuration;

namespace WamsGateway.Management;

/// <summary>Checks <c>Gateway:Management:Urls</c> at start: absolute http(s) URLs, no path, a port of their own.</summary>
internal static class ManagementSettingsValidator
{
    public const string Key = GatewayOptions.SectionName + ":Management:Urls";

    public static void Validate(ManagementSettings settings, IConfiguration configuration, List<string> problems)
    {
        if (!settings.Enabled)
        {
            return;
        }

        var proxyPorts = ListenAddresses.KestrelEndpointsConfigured(configuration)
            ? []
            : ListenAddresses.ProxyUrls(configuration).Select(ListenAddresses.Parse).OfType<BindingAddress>().Where(a => a.Port != 0).Select(a => a.Port).ToHashSet();
        foreach (var url in settings.UrlList)
        {
            if (url.Length == 0)
            {
                problems.Add($"{Key}: an entry is empty; separate URLs with a single ';'.");
                continue;
            }

            var address = ListenAddresses.Parse(url);
            if (address is null || address.IsUnixPipe || address.IsNamedPipe
                || !(address.Scheme.Equals(Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) || address.Scheme.Equals(Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{Key}: '{url}' is not an absolute http or https URL with a host and port, such as http://0.0.0.0:9090.");
            }
            else if (address.PathBase.Length > 0)
            {
                problems.Add($"{Key}: '{url}' has a path; give a scheme, host and port only, with no path (health and metrics keep their paths).");
            }
            else if (proxyPorts.Contains(address.Port))
            {
                problems.Add($"{Key}: port {ListenAddresses.Describe(address.Port)} of '{url}' is also one of the proxy's (urls / ASPNETCORE_URLS / ASPNETCORE_HTTP_PORTS); give the management listener a port of its own.");
            }
        }
    }
}
