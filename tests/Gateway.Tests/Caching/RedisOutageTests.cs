using System.Net;
using System.Text.Json;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Caching;

/// <summary>Redis goes away mid-test and comes back: requests keep being answered, readiness says Degraded, sharing resumes.</summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private readonly FleetFixture _f = new();

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task RedisDown_RequestsServedAndReadinessDegraded_ThenSharingResumes()
    {
        var (_, before) = await _f.SignInAsync();
        using (var warm = await _f.SendAsync(HttpMethod.Get, "/app-delegated/warm", before))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await _f.Redis.StopAsync();
        var logsBefore = _f.Logs.Lines.Count;

        // On the replica that cached it, a credential is served from memory; everything else is exchanged directly.
        foreach (var gateway in new[] { _f.Gateway, _f.SecondGateway })
        {
            using var cached = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, "/app-delegated/during", before);
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
            for (var i = 0; i < 15; i++)
            {
                var (_, fresh) = await _f.SignInAsync();
                using var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, "/app-delegated/during", fresh);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        // Thirty requests with Redis away: a handful of warnings (the outage, the circuits), not one per request.
        var warnings = _f.Logs.Lines.Skip(logsBefore).Count(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal));
        Assert.InRange(warnings, 1, 12);
        var degraded = await ReadinessAsync(_f.Gateway);
        Assert.Equal(HttpStatusCode.OK, degraded.Status);
        Assert.Equal("Degraded", degraded.Body.GetProperty("status").GetString());
        Assert.Equal("Degraded", degraded.Body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());

        await _f.Redis.RestartAsync();

        foreach (var gateway in new[] { _f.Gateway, _f.SecondGateway })
        {
            await Eventually.ReturnsAsync(async () => (await ReadinessAsync(gateway)).Body.GetProperty("status").GetString(), s => s == "Healthy", TimeSpan.FromSeconds(30));
        }

        // Sharing resumes without a restart: a new token is exchanged once for both replicas.
        var shared = await Eventually.ReturnsAsync(
            async () =>
            {
                var (_, token) = await _f.SignInAsync();
                var start = await _f.DelegationsAsync();
                using var first = await DelegationFixture.SendAsync(_f.Gateway, HttpMethod.Get, "/app-delegated/after", token);
                using var second = await DelegationFixture.SendAsync(_f.SecondGateway, HttpMethod.Get, "/app-delegated/after", token);
                return first.IsSuccessStatusCode && second.IsSuccessStatusCode && await _f.DelegationsAsync() == start + 1;
            },
            ok => ok,
            TimeSpan.FromSeconds(30));
        Assert.True(shared);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadinessAsync(RunningApp gateway)
    {
        using var response = await gateway.Client.GetAsync("/healthz/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
