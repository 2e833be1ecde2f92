using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace WamsGateway.Management;

/// <summary>
/// The addresses Kestrel binds, read as ASP.NET Core reads them. Once the gateway binds its management
/// listener explicitly, Kestrel ignores <c>urls</c> (and <c>http_ports</c>/<c>https_ports</c>), so the
/// proxy's addresses are bound explicitly too, from the same settings and with the same defaults.
/// </summary>
internal static class ListenAddresses
{
    private const string DefaultUrl = "http://localhost:5000";

    /// <summary>The proxy's URLs: <c>urls</c> (<c>--urls</c>, ASPNETCORE_URLS), else the port settings, else Kestrel's default.</summary>
    public static IReadOnlyList<string> ProxyUrls(IConfiguration configuration)
    {
        if (Split(configuration[WebHostDefaults.ServerUrlsKey]) is { Count: > 0 } urls)
        {
            return urls;
        }

        var ports = Split(configuration[WebHostDefaults.HttpPortsKey]).Select(p => $"http://*:{p}")
            .Concat(Split(configuration[WebHostDefaults.HttpsPortsKey]).Select(p => $"https://*:{p}"))
            .ToList();
        return ports.Count > 0 ? ports : [DefaultUrl];
    }

    /// <summary>True when <c>Kestrel:Endpoints</c> names endpoints: Kestrel binds those itself and ignores <c>urls</c>.</summary>
    public static bool KestrelEndpointsConfigured(IConfiguration configuration) =>
        configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    /// <summary>Parses one URL as Kestrel does; null when it is not one.</summary>
    public static BindingAddress? Parse(string url)
    {
        try
        {
            return BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Binds one address the way Kestrel binds a <c>urls</c> entry: localhost on both loopbacks, an IP on that IP, anything else on every interface.</summary>
    public static void Listen(KestrelServerOptions kestrel, BindingAddress address, Action<ListenOptions>? configure = null)
    {
        void Configure(ListenOptions options)
        {
            if (address.Scheme.Equals(Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
            {
                options.UseHttps();
            }

            configure?.Invoke(options);
        }

        if (address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, address.Port, Configure);
        }
        else
        {
            kestrel.ListenAnyIP(address.Port, Configure);
        }
    }

    private static List<string> Split(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : [.. value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    public static string Describe(int port) => port.ToString(CultureInfo.InvariantCulture);
}
