using Microsoft.Extensions.Options;

namespace WamsGateway.Management;

/// <summary>Checks <c>Gateway:Management:Urls</c> at start: absolute http(s) URLs, no path, a port of their own.</summary>
internal sealed class ManagementOptionsValidator : IValidateOptions<ManagementOptions>
{
    private readonly string _key;
    private readonly IConfiguration _configuration;

    /// <param name="key">The setting's full key, for the messages (<c>Gateway:Management:Urls</c>).</param>
    /// <param name="configuration">The host's configuration, whose <c>urls</c> the proxy listens on.</param>
    public ManagementOptionsValidator(string key, IConfiguration configuration)
    {
        _key = key;
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, ManagementOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var problems = new List<string>();
        var proxyPorts = ListenAddresses.KestrelEndpointsConfigured(_configuration)
            ? []
            : ListenAddresses.ProxyUrls(_configuration).Select(ListenAddresses.Parse).OfType<BindingAddress>().Where(a => a.Port != 0).Select(a => a.Port).ToHashSet();
        foreach (var url in options.UrlList)
        {
            if (url.Length == 0)
            {
                problems.Add($"{_key}: an entry is empty; separate URLs with a single ';'.");
                continue;
            }

            var address = ListenAddresses.Parse(url);
            if (address is null || address.IsUnixPipe || address.IsNamedPipe
                || !(address.Scheme.Equals(Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) || address.Scheme.Equals(Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{_key}: '{url}' is not an absolute http or https URL with a host and port, such as http://0.0.0.0:9090.");
            }
            else if (address.PathBase.Length > 0)
            {
                problems.Add($"{_key}: '{url}' has a path; give a scheme, host and port only, with no path (health and metrics keep their paths).");
            }
            else if (proxyPorts.Contains(address.Port))
            {
                problems.Add($"{_key}: port {ListenAddresses.Describe(address.Port)} of '{url}' is also one of the proxy's (urls / ASPNETCORE_URLS / ASPNETCORE_HTTP_PORTS); give the management listener a port of its own.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
