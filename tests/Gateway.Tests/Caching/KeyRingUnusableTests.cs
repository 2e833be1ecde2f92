using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// A replica whose key ring is unusable (here: it starts while the ring's Redis key holds a string, which
/// Data Protection can neither read nor add a key to) says so in readiness, serves every request from
/// memory and by exchanging directly, holds no Redis lock, and keeps no other replica waiting; when the
/// ring is back, it shares the cache again by itself.
/// </summary>
[Collection(DeadlineTestGroup.Name)]
public sealed class KeyRingUnusableTests : IAsyncLifetime
{
    private const string Ring = "test:dataprotection-keys";

    private readonly FleetFixture _f = new();

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task ReplicaThatCannotEncrypt_IsDegraded_Serves_HoldsNoLock_KeepsNoOneWaiting_AndRecovers()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var db = redis.GetDatabase();
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var (warm, _) = await _f.SignInAsync();
        foreach (var gateway in new[] { _f.Gateway, _f.SecondGateway })
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(gateway, warm)).Status);
        }

        var ring = await db.ListRangeAsync(Ring);
        Assert.NotEmpty(ring);
        await db.KeyDeleteAsync(Ring);
        await db.StringSetAsync(Ring, "not a key ring");

        var logs = new CapturingLoggerProvider();
        await using var broken = await _f.StartGatewayAsync(services => services.AddLogging(logging => logging.AddProvider(logs)));

        // It serves, exchanging directly, and leaves no lock behind; a healthy replica asked next for the
        // same credential does not wait on one.
        var (first, _) = await _f.SignInAsync();
        var before = await _f.TokenExchangesAsync();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(broken, first)).Status);
        Assert.Empty(Locks(server));
        var healthy = await SendAsync(_f.Gateway, first);
        Assert.Equal(HttpStatusCode.OK, healthy.Status);
        Assert.True(healthy.Elapsed < LockWait, $"the healthy replica answered after {healthy.Elapsed}");
        Assert.Equal(before + 2, await _f.TokenExchangesAsync());

        // Both asked at the same time, a few times: every answer 200, the healthy replica's within the budget.
        for (var i = 0; i < 3; i++)
        {
            var (token, _) = await _f.SignInAsync("bob");
            var answers = await Task.WhenAll(SendAsync(broken, token), SendAsync(_f.Gateway, token), SendAsync(_f.SecondGateway, token));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
            Assert.All(answers.Skip(1), a => Assert.True(a.Elapsed < LockWait, $"a healthy replica answered after {a.Elapsed}"));
            Assert.Empty(Locks(server));
        }

        // Readiness names the check and why.
        var (status, body) = await ReadinessAsync(broken);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        var keyRing = body.GetProperty("checks").GetProperty("key-ring");
        Assert.Equal("Degraded", keyRing.GetProperty("status").GetString());
        Assert.Contains("could not be read from or written to Redis", keyRing.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());

        // Its memory serves what it exchanged (for a token no other replica has written since: what another
        // replica writes to Redis for a key replaces its copy, and it cannot read that one).
        var (own, _) = await _f.SignInAsync();
        before = await _f.TokenExchangesAsync();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(broken, own)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(broken, own)).Status);
        Assert.Equal(before + 1, await _f.TokenExchangesAsync());
        Assert.Empty(Locks(server));

        // Said once, however many requests.
        Assert.Single(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("key ring is unusable", StringComparison.Ordinal));

        // The ring comes back: the replica turns Healthy by itself and shares the cache again.
        await db.KeyDeleteAsync(Ring);
        await db.ListRightPushAsync(Ring, ring);
        await Eventually.ReturnsAsync(
            async () => (await ReadinessAsync(broken)).Body.GetProperty("checks").GetProperty("key-ring").GetProperty("status").GetString(),
            s => s == "Healthy",
            TimeSpan.FromSeconds(30));
        var (shared, _) = await _f.SignInAsync();
        before = await _f.TokenExchangesAsync();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(broken, shared)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_f.Gateway, shared)).Status);
        Assert.Equal(before + 1, await _f.TokenExchangesAsync());
        Assert.Single(logs.Lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains("key ring is usable again", StringComparison.Ordinal));
    }

    /// <summary>The fleet's Delegation:Timeout: a replica that waited on another's lock answers after at least this long.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5);

    private static List<RedisKey> Locks(IServer server) => server.Keys(pattern: "test:*:lock").ToList();

    private static async Task<Answer> SendAsync(RunningApp gateway, string token)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, "/orders/x", token);
        return new Answer(response.StatusCode, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadinessAsync(RunningApp gateway)
    {
        using var response = await gateway.Client.GetAsync("/healthz/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private sealed record Answer(HttpStatusCode Status, TimeSpan Elapsed);
}
