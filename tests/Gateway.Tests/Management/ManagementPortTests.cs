using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using WamsGateway.Configuration;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Management;

/// <summary>
/// With <c>Gateway:Management:Urls</c>, health and metrics live on their own listener: the proxy's
/// port treats their paths like any other, and the management port serves nothing else.
/// </summary>
public sealed class ManagementPortTests : IAsyncLifetime
{
    private readonly GatewayFixture _f = new()
    {
        Customize = config =>
        {
            config["Gateway"]!["Management"] = new JsonObject { ["Urls"] = "http://127.0.0.1:0" };
            // A catch-all route on the proxy: /metrics and /healthz/* on the proxy's port are its paths now.
            config["ReverseProxy"]!["Routes"]!["catch-all"] = GatewayConfig.Route("/{**rest}", null, anonymous: true);
        },
    };

    private HttpClient _management = null!;

    public async Task InitializeAsync()
    {
        await _f.InitializeAsync();
        var addresses = _f.Gateway.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        // --urls (the proxy) and the management URL are both bound, each on a port of its own.
        Assert.Equal(2, addresses.Count);
        var management = Assert.Single(addresses, a => new Uri(a).Port != _f.Gateway.Address.Port);
        _management = new HttpClient { BaseAddress = new Uri(management) };
    }

    public async Task DisposeAsync()
    {
        _management.Dispose();
        await _f.DisposeAsync();
    }

    [Theory]
    [InlineData("/healthz/ready")]
    [InlineData("/healthz/live")]
    [InlineData("/metrics")]
    public async Task ProxyPort_ManagementPaths_GoToTheProxyRoutes(string path)
    {
        using var response = await _f.SendAsync(path, token: null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"received\":true", body, StringComparison.Ordinal);
        Assert.Contains(_f.Backend.Requests, r => r.PathAndQuery == path);
    }

    [Fact]
    public async Task ManagementPort_ServesHealthAndMetrics()
    {
        using var ready = await _management.GetAsync("/healthz/ready");
        using var live = await _management.GetAsync("/healthz/live");
        using var metrics = await _management.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("authority").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("# TYPE ", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(_f.Backend.Requests, r => r.PathAndQuery.StartsWith("/healthz", StringComparison.Ordinal) || r.PathAndQuery == "/metrics");
    }

    [Theory]
    [InlineData("/none/x", true)]
    [InlineData("/anon/x", false)]
    [InlineData("/anything-else", false)]
    [InlineData("/healthz", true)]
    public async Task ManagementPort_AnythingElse_Is404AndNeverProxied(string path, bool withToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (withToken)
        {
            request.Headers.Authorization = new("Bearer", _f.Tokens.Valid());
        }

        using var response = await _management.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(_f.Backend.Requests);
    }
}

/// <summary>Without <c>Gateway:Management:Urls</c>, health and metrics stay on the proxy's port (docs/http-behaviour.md).</summary>
public sealed class ManagementDefaultTests : IAsyncLifetime
{
    private readonly GatewayFixture _f = new();

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task NoManagementUrls_HealthAndMetricsOnTheProxyPort()
    {
        using var ready = await _f.Gateway.Client.GetAsync("/healthz/ready");
        using var metrics = await _f.Gateway.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Single(_f.Gateway.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses);
    }
}

/// <summary>Bad management URLs stop start-up, naming the key.</summary>
public sealed class ManagementValidationTests
{
    [Theory]
    [InlineData("localhost:9090", "not an absolute http or https URL")]
    [InlineData("ftp://127.0.0.1:9090", "not an absolute http or https URL")]
    [InlineData("http://127.0.0.1:9090/admin", "no path")]
    [InlineData("http://127.0.0.1:9090;;", "an entry is empty")]
    public void Build_BadManagementUrls_IsRefusedNamingTheKey(string urls, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", new Uri("http://127.0.0.1:9/"));
        config["Gateway"]!["Management"] = new JsonObject { ["Urls"] = urls };

        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build([
            $"--contentRoot={TempDirectory.Create("management")}", "--hostBuilder:reloadConfigOnChange=false", $"--config={GatewayConfig.Write(config)}"]));

        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Management:Urls: ", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_ManagementUrlOnTheProxysPort_IsRefused()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", new Uri("http://127.0.0.1:9/"));
        config["Gateway"]!["Management"] = new JsonObject { ["Urls"] = "http://0.0.0.0:8080" };

        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build([
            "--urls=http://+:8080", $"--contentRoot={TempDirectory.Create("management")}", "--hostBuilder:reloadConfigOnChange=false",
            $"--config={GatewayConfig.Write(config)}"]));

        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Management:Urls: ", StringComparison.Ordinal) && p.Contains("8080", StringComparison.Ordinal));
    }
}
