using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Shutdown;

/// <summary>
/// SIGTERM as Kubernetes sends it to the gateway's process: readiness 503 at once, every request served (new
/// connections too) for <c>Gateway:Shutdown:DrainDelay</c>, requests in flight finished within <c>Timeout</c>, exit 0.
/// </summary>
public sealed class DrainTests : IAsyncLifetime
{
    private readonly TaskCompletionSource _slowArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseSlow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestAuthority _authority = null!;
    private RunningApp _backend = null!;

    public async Task InitializeAsync()
    {
        _authority = await TestAuthority.StartAsync();
        _backend = await RunningApp.StartAsync(args =>
        {
            var app = WebApplication.CreateSlimBuilder(args).Build();
            app.MapGet("/anon/slow", async () =>
            {
                _slowArrived.TrySetResult();
                await _releaseSlow.Task;
                return "slow done";
            });
            app.MapGet("/anon/fast", () => "fast");
            return app;
        }, []);
    }

    public async Task DisposeAsync()
    {
        _releaseSlow.TrySetResult();
        await _backend.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task Sigterm_ReadinessFailsAtOnce_ServesNewConnectionsForTheDelay_FinishesInFlight_ExitsZero()
    {
        var drainDelay = TimeSpan.FromSeconds(3);
        await using var gateway = await StartGatewayAsync(drainDelay, TimeSpan.FromSeconds(20));
        using var client = new HttpClient { BaseAddress = gateway.Address };
        await Eventually.ReturnsAsync(() => StatusAsync(client, "/healthz/ready"), status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var inFlight = client.GetAsync("/anon/slow");
        await _slowArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var sinceSignal = Stopwatch.StartNew();
        await gateway.TerminateAsync();

        var ready = await Eventually.ReturnsAsync(() => client.GetAsync("/healthz/ready"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(5));
        var notReadyAfter = sinceSignal.Elapsed;
        var check = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("shutdown");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.StartsWith("draining", check.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(notReadyAfter < TimeSpan.FromMilliseconds(500), $"readiness turned 503 {notReadyAfter.TotalMilliseconds:0} ms after SIGTERM");

        // Until a second before the delay ends, every request is served, each on a connection of its own.
        var served = new List<HttpStatusCode>();
        while (sinceSignal.Elapsed < drainDelay - TimeSpan.FromSeconds(1))
        {
            served.Add(await StatusAsync(client, "/anon/fast", newConnection: true));
        }

        Assert.True(served.Count >= 5, $"only {served.Count} requests were sent during the drain delay");
        Assert.All(served, status => Assert.Equal(HttpStatusCode.OK, status));

        // Then the listener closes: a new connection is refused, while the request in flight still waits for its backend.
        await Eventually.ReturnsAsync(() => RefusedAsync(gateway.Address), refused => refused, TimeSpan.FromSeconds(10));
        Assert.True(sinceSignal.Elapsed >= drainDelay - TimeSpan.FromMilliseconds(100), $"the listener closed {sinceSignal.Elapsed.TotalMilliseconds:0} ms after SIGTERM");
        Assert.False(inFlight.IsCompleted);
        Assert.False(gateway.HasExited);

        _releaseSlow.SetResult();
        using var finished = await inFlight.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal("slow done", await finished.Content.ReadAsStringAsync());
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Sigterm_RequestInFlightPastTheTimeout_IsCut_ProcessStillExitsZero()
    {
        await using var gateway = await StartGatewayAsync(TimeSpan.Zero, TimeSpan.FromSeconds(1));
        using var client = new HttpClient { BaseAddress = gateway.Address };
        await Eventually.ReturnsAsync(() => StatusAsync(client, "/healthz/ready"), status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var stuck = client.GetAsync("/anon/slow");
        await _slowArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var sinceSignal = Stopwatch.StartNew();
        await gateway.TerminateAsync();

        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(sinceSignal.Elapsed >= TimeSpan.FromSeconds(1), $"exited {sinceSignal.Elapsed.TotalMilliseconds:0} ms after SIGTERM, before the timeout");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => stuck);
    }

    private async Task<GatewayProcess> StartGatewayAsync(TimeSpan drainDelay, TimeSpan timeout)
    {
        var config = GatewayConfig.Default(_authority.Issuer, _backend.Address);
        config["Gateway"]!["Shutdown"] = new JsonObject { ["DrainDelay"] = drainDelay.ToString("c"), ["Timeout"] = timeout.ToString("c") };
        return await GatewayProcess.StartAsync([$"--config={GatewayConfig.Write(config)}"]);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path, bool newConnection = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.ConnectionClose = newConnection;
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<bool> RefusedAsync(Uri address)
    {
        using var client = new HttpClient { BaseAddress = address };
        try
        {
            using var response = await client.GetAsync("/anon/fast");
            return false;
        }
        catch (HttpRequestException)
        {
            return true;
        }
    }
}
