using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Observability;

/// <summary>
/// <c>wamsgateway_redis_connected</c> follows the connection: 1, 0 while redis-server is down, 1 once it is back. The
/// gateway runs as a process of its own: in one test process every host's exporter also sees the other hosts' gauges.
/// </summary>
public sealed class RedisConnectedMetricTests : IAsyncLifetime
{
    private TestAuthority _authority = null!;
    private RecordingBackend _backend = null!;
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _authority = await TestAuthority.StartAsync();
        _backend = await RecordingBackend.StartAsync();
        _redis = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _backend.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task RedisConnected_IsOne_ZeroWhileRedisIsDown_OneWhenItIsBack()
    {
        var config = GatewayConfig.Default(_authority.Issuer, _backend.Address);
        config["Gateway"]!["Redis"] = new JsonObject { ["Configuration"] = _redis.Configuration, ["KeyPrefix"] = "gauge:", ["KeyRingKey"] = FleetFixture.KeyRingKey };
        await using var gateway = await GatewayProcess.StartAsync([$"--config={GatewayConfig.Write(config)}"]);
        using var client = new HttpClient { BaseAddress = gateway.Address };

        await Eventually.ReturnsAsync(() => ConnectedAsync(client), value => value == 1, TimeSpan.FromSeconds(30));

        await _redis.StopAsync();
        await Eventually.ReturnsAsync(() => ConnectedAsync(client), value => value == 0, TimeSpan.FromSeconds(30));

        await _redis.RestartAsync();
        await Eventually.ReturnsAsync(() => ConnectedAsync(client), value => value == 1, TimeSpan.FromSeconds(30));
    }

    private static async Task<double?> ConnectedAsync(HttpClient client) =>
        (await Scrape.ReadAsync(client)).Find("wamsgateway_redis_connected").SingleOrDefault()?.Value;
}
