using System.Net;
using System.Text.Json;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Health;

public sealed class HealthTests : IAsyncLifetime
{
    private readonly GatewayFixture _f = new();

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task Live_WithoutToken_Is200()
    {
        using var response = await _f.Gateway.Client.GetAsync("/healthz/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_AuthorityReachable_IsHealthyAndNamesEachCheck()
    {
        using var response = await _f.Gateway.Client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("authority").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("configuration").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_AuthorityNeverReached_Is503UnhealthyAndRequestsGet503()
    {
        await using var down = new GatewayFixture { ArrangeAuthority = a => a.Down = true };
        await down.InitializeAsync();

        using var ready = await down.Gateway.Client.GetAsync("/healthz/ready");
        using var live = await down.Gateway.Client.GetAsync("/healthz/live");
        using var proxied = await down.SendAsync("/none/x", down.Tokens.Valid());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("authority").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, proxied.StatusCode);
        Assert.NotNull(proxied.Headers.RetryAfter);
        await ProblemAssert.IsProblemAsync(proxied, "authority_unavailable");
        Assert.Empty(down.Backend.Requests);

        down.Authority.Down = false;
        var recovered = await WamsGateway.TestSupport.Eventually.ReturnsAsync(
            async () => (await down.Gateway.Client.GetAsync("/healthz/ready")).StatusCode, s => s == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, recovered);
    }
}
