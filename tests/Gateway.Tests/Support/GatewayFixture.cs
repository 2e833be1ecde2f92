using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Support;

/// <summary>A test authority, a recording backend and a gateway in front of it, all on loopback sockets.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public TestAuthority Authority { get; private set; } = null!;

    public RecordingBackend Backend { get; private set; } = null!;

    public RunningApp Gateway { get; private set; } = null!;

    public TokenFactory Tokens => Authority.Tokens(GatewayConfig.Audience);

    /// <summary>Lets a test change the configuration before the gateway starts.</summary>
    public Action<JsonObject>? Customize { get; init; }

    /// <summary>Lets a test set the authority up (e.g. down) before the gateway starts.</summary>
    public Action<TestAuthority>? ArrangeAuthority { get; init; }

    /// <summary>More command-line arguments for the gateway (environment-style settings such as <c>--OTEL_...</c>).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Services the gateway's host adds after its own, as a host of its own would.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>The configuration the gateway started with (a test edits it and writes it back to <see cref="ConfigPath"/>).</summary>
    public JsonObject Config { get; private set; } = null!;

    /// <summary>The <c>--config</c> file.</summary>
    public string ConfigPath { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Authority = await TestAuthority.StartAsync();
        ArrangeAuthority?.Invoke(Authority);
        Backend = await RecordingBackend.StartAsync();
        Config = GatewayConfig.Default(Authority.Issuer, Backend.Address);
        Customize?.Invoke(Config);
        ConfigPath = GatewayConfig.Write(Config);
        Gateway = await RunningApp.StartAsync(args => GatewayApp.Build(args, ConfigureServices), [$"--config={ConfigPath}", .. Args]);
    }

    public async Task<HttpResponseMessage> SendAsync(string path, string? token, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        configure?.Invoke(request);
        return await Gateway.Client.SendAsync(request);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
        await Authority.DisposeAsync();
    }
}
