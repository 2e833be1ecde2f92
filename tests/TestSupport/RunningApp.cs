using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace WamsGateway.TestSupport;

/// <summary>
/// One of the project's apps on real Kestrel, bound to 127.0.0.1 port 0, with a content root of
/// its own so no appsettings.json from the test folder leaks in.
/// </summary>
public sealed class RunningApp : IAsyncDisposable
{
    private RunningApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public WebApplication App { get; }

    /// <summary>The bound address with a trailing slash, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<RunningApp> StartAsync(Func<string[], WebApplication> build, IEnumerable<string> args, string? contentRoot = null, string urls = "http://127.0.0.1:0")
    {
        contentRoot ??= TempDirectory.Create("contentroot");
        string[] all =
        [
            $"--urls={urls}",
            $"--contentRoot={contentRoot}",
            "--hostBuilder:reloadConfigOnChange=false",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            // A test host stops at once: the drain before a stop (5 s by default) is for load balancers,
            // and Shutdown/DrainTests proves it on a gateway process of its own.
            "--Gateway:Shutdown:DrainDelay=00:00:00",
            .. args,
        ];
        var app = build(all);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new RunningApp(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
