using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using WamsGateway.Caching;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;
using WamsGateway.TrafficPolicy;

namespace WamsGateway.Tests.TrafficPolicy;

/// <summary>Two gateways and one real redis-server: a Fleet limit holds for the fleet together, a Replica limit per process.</summary>
public sealed class FleetRateLimitTests : IClassFixture<RateLimitFleet>
{
    private readonly RateLimitFleet _f;

    public FleetRateLimitTests(RateLimitFleet fleet) => _f = fleet;

    [Fact]
    public async Task AFleetLimit_HoldsWithinFivePercent_UnderConcurrentLoadSpreadOverBothReplicas()
    {
        var token = _f.Authority.Tokens(GatewayConfig.Audience).Valid("auth0|fleet-user");
        var statuses = await SendConcurrentlyAsync("/fleet/x", token, total: 300, concurrency: 24);

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"unexpected {s}"));
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 95, 105);

        // Counted under a keyed hash of the partition: neither the user id nor its plain SHA-256 (which anyone
        // could compute from a guessed id) names a key in Redis.
        var keys = (await RedisDump.ReadAsync(_f.Redis.Configuration)).Keys.Where(k => k.Contains("rl-test:rl:fleet:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(keys);
        var guess = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("rate-limit\nu:default\nauth0|fleet-user")).AsSpan(0, 16));
        Assert.DoesNotContain(keys, k => k.Contains("fleet-user", StringComparison.Ordinal) || k.Contains(guess, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACountPlantedAtAUsersKey_RefusesOnBothReplicas_AtMostUntilItsWindowEnds()
    {
        // The key the gateways count this user in, as they compute it: the count planted there is theirs.
        var token = _f.Authority.Tokens(GatewayConfig.Audience).Valid("auth0|planted-count");
        var key = _f.Key("fleet-short", "u:default\nauth0|planted-count");
        await using var writer = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var planted = System.Diagnostics.Stopwatch.GetTimestamp();
        await writer.GetDatabase().StringSetAsync(key, "999999999");
        await writer.GetDatabase().KeyExpireAsync(key, RateLimitFleet.ShortWindow);

        foreach (var gateway in new[] { _f.First, _f.Second })
        {
            using var refused = await RateLimitFleet.SendAsync(gateway, "/fleet-short/x", token);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), RateLimitFleet.ShortWindow);
        }

        Assert.InRange((await writer.GetDatabase().KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromMilliseconds(1), RateLimitFleet.ShortWindow);
        await Eventually.ReturnsAsync(async () =>
        {
            using var response = await RateLimitFleet.SendAsync(_f.First, "/fleet-short/x", token);
            return response.StatusCode;
        }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(10));
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(planted) <= RateLimitFleet.ShortWindow + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task MembersPlantedFarAheadAtAUsersKey_AreRemoved_AndTheKeyExpiresWithinTheWindow()
    {
        var token = _f.Authority.Tokens(GatewayConfig.Audience).Valid("auth0|planted-members");
        var key = _f.Key("fleet-sliding", "u:default\nauth0|planted-members");
        await using var writer = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var far = DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeMilliseconds();
        await writer.GetDatabase().SortedSetAddAsync(key, [.. Enumerable.Range(0, 50).Select(i => new SortedSetEntry($"planted-{i}", far))]);

        foreach (var gateway in new[] { _f.First, _f.Second })
        {
            using var response = await RateLimitFleet.SendAsync(gateway, "/fleet-sliding/x", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, await writer.GetDatabase().SortedSetLengthAsync(key));
        Assert.InRange((await writer.GetDatabase().KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromMilliseconds(1), RateLimitFleet.ShortWindow);
    }

    [Fact]
    public async Task AFleetLimitWithSyncInterval_AdmitsTheLimitAndAtMostOneReplicasShareMore_AndRedisHoldsWhatWasAdmitted()
    {
        var token = _f.Authority.Tokens(GatewayConfig.Audience).Valid("auth0|synced-user");
        var statuses = await SendConcurrentlyAsync("/fleet-synced/x", token, total: 300, concurrency: 24);

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"unexpected {s}"));
        var admitted = statuses.Count(s => s == HttpStatusCode.OK);
        // Never fewer than the limit; more by at most what the other replica admits before it has settled (each
        // replica alone never admits more than the limit).
        Assert.InRange(admitted, 100, 200);

        // Once both replicas have settled, Redis holds exactly what the fleet admitted, and both refuse.
        var key = _f.Key("fleet-synced", "u:default\nauth0|synced-user") + ":";
        await using var reader = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration + ",allowAdmin=true");
        var server = reader.GetServer(reader.GetEndPoints()[0]);
        var windowKey = await Eventually.ReturnsAsync(
            async () => (string?)await server.KeysAsync(pattern: key + "*").FirstOrDefaultAsync(), k => k is not null, TimeSpan.FromSeconds(10));
        await Eventually.ReturnsAsync(async () => (long)await reader.GetDatabase().StringGetAsync(windowKey!), n => n == admitted, TimeSpan.FromSeconds(10));
        Assert.InRange((await reader.GetDatabase().KeyTimeToLiveAsync(windowKey!))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(2));
        foreach (var gateway in new[] { _f.First, _f.Second })
        {
            using var refused = await RateLimitFleet.SendAsync(gateway, "/fleet-synced/x", token);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        }

        var metrics = await _f.First.Client.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("wamsgateway_rate_limit_syncs_total{", StringComparison.Ordinal)
            && l.Contains("policy=\"fleet-synced\"", StringComparison.Ordinal) && l.Contains("outcome=\"ok\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReplicaLimit_CountsInEachProcess()
    {
        var token = _f.Authority.Tokens(GatewayConfig.Audience).Valid("auth0|replica-user");
        var statuses = await SendConcurrentlyAsync("/replica/x", token, total: 80, concurrency: 8);

        // 20 per replica: the two together allow twice the limit.
        Assert.Equal(40, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(40, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    /// <summary>Requests alternate between the two gateways, <paramref name="concurrency"/> in flight at a time.</summary>
    private async Task<List<HttpStatusCode>> SendConcurrentlyAsync(string path, string token, int total, int concurrency)
    {
        var next = -1;
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var gateway = i % 2 == 0 ? _f.First : _f.Second;
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = new("Bearer", token);
                using var response = await gateway.Client.SendAsync(request);
                statuses.Add(response.StatusCode);
            }
        }));
        return [.. statuses];
    }
}

/// <summary>Redis stops mid-test: a Fleet limit goes on counting in each process, and no request fails.</summary>
public sealed class FleetRateLimitOutageTests : IClassFixture<RateLimitFleet>
{
    private readonly RateLimitFleet _f;

    public FleetRateLimitOutageTests(RateLimitFleet fleet) => _f = fleet;

    [Fact]
    public async Task RedisStopped_KeepsServing_WithEachReplicaCounting_AndReadinessDegraded()
    {
        var tokens = _f.Authority.Tokens(GatewayConfig.Audience);
        using (var before = await RateLimitFleet.SendAsync(_f.First, "/fleet-small/x", tokens.Valid("auth0|before-outage")))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await _f.Redis.StopAsync();

        var token = tokens.Valid("auth0|outage-user");
        var counts = new Dictionary<string, int>();
        foreach (var (name, gateway) in new[] { ("first", _f.First), ("second", _f.Second) })
        {
            for (var i = 0; i < 8; i++)
            {
                using var response = await RateLimitFleet.SendAsync(gateway, "/fleet-small/x", token);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{name}: {response.StatusCode}");
                counts[name] = counts.GetValueOrDefault(name) + (response.StatusCode == HttpStatusCode.OK ? 1 : 0);
            }
        }

        // 5 per window, now counted by each replica on its own.
        Assert.Equal(5, counts["first"]);
        Assert.Equal(5, counts["second"]);
        // Logged once per replica for the outage, not once per request.
        Assert.Equal(2, _f.Logs.Lines.Count(l => l.Contains("Rate limit fleet-small counts in this process", StringComparison.Ordinal)));

        using var ready = await _f.First.Client.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Degraded", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }
}

/// <summary>A test authority, a recording backend, a redis-server and two gateways sharing it, with rate limits on five routes.</summary>
public sealed class RateLimitFleet : IAsyncLifetime
{
    /// <summary>The window of the <c>fleet-short</c> and <c>fleet-sliding</c> policies.</summary>
    public static readonly TimeSpan ShortWindow = TimeSpan.FromSeconds(2);

    /// <summary>How often the <c>fleet-synced</c> policy (100 a day, in windows aligned to Redis's clock) settles with Redis.</summary>
    public static readonly TimeSpan SyncInterval = TimeSpan.FromMilliseconds(100);

    public TestAuthority Authority { get; private set; } = null!;

    public RecordingBackend Backend { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public RunningApp First { get; private set; } = null!;

    public RunningApp Second { get; private set; } = null!;

    /// <summary>Both gateways' logs.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Authority = await TestAuthority.StartAsync();
        Backend = await RecordingBackend.StartAsync();
        Redis = await RedisServer.StartAsync();
        var config = GatewayConfig.Default(Authority.Issuer, Backend.Address);
        var gateway = config["Gateway"]!;
        gateway["Redis"] = new JsonObject
        {
            ["Configuration"] = Redis.Configuration, ["KeyPrefix"] = "rl-test:", ["KeyRingKey"] = FleetFixture.KeyRingKey,
            // These tests are about counting in Redis: on two shared cores with every other test running, a Redis answer can
            // take longer than the default 100 ms, and each replica would then count on its own (the documented fallback).
            ["OperationTimeout"] = "00:00:01",
        };
        gateway["RateLimits"] = new JsonObject
        {
            ["fleet"] = Limit(100, "Fleet"),
            ["replica"] = Limit(20, "Replica"),
            ["fleet-small"] = Limit(5, "Fleet"),
            ["fleet-short"] = Limit(3, "Fleet", "FixedWindow", ShortWindow),
            ["fleet-sliding"] = Limit(3, "Fleet", "SlidingWindow", ShortWindow),
            ["fleet-synced"] = Limit(100, "Fleet", window: TimeSpan.FromDays(1), syncInterval: SyncInterval),
        };
        var routes = config["ReverseProxy"]!["Routes"]!.AsObject();
        foreach (var name in new[] { "fleet", "replica", "fleet-small", "fleet-short", "fleet-sliding", "fleet-synced" })
        {
            var route = GatewayConfig.Route($"/{name}/{{**rest}}", "echo-none");
            route["RateLimiterPolicy"] = name;
            routes[name] = route;
        }

        var path = GatewayConfig.Write(config);
        First = await StartAsync(path);
        Second = await StartAsync(path);
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
        await Redis.DisposeAsync();
        await Backend.DisposeAsync();
        await Authority.DisposeAsync();
    }

    /// <summary>The Redis key the gateways count <paramref name="partition"/> of <paramref name="policy"/> in.</summary>
    internal string Key(string policy, string partition) =>
        GatewayRateLimiter.RedisKey("rl-test:", policy, First.Services.GetRequiredService<FingerprintKey>().Key, partition);

    public static async Task<HttpResponseMessage> SendAsync(RunningApp gateway, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        return await gateway.Client.SendAsync(request);
    }

    private Task<RunningApp> StartAsync(string config) => RunningApp.StartAsync(
        args => GatewayApp.Build(args, services => services.AddLogging(l => l.AddProvider(Logs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Information))),
        [$"--config={config}"]);

    private static JsonObject Limit(int permits, string scope, string algorithm = "FixedWindow", TimeSpan? window = null, TimeSpan? syncInterval = null)
    {
        var limit = new JsonObject
        {
            ["PartitionBy"] = "User", ["Algorithm"] = algorithm, ["PermitLimit"] = permits,
            ["Window"] = (window ?? TimeSpan.FromMinutes(10)).ToString("c", System.Globalization.CultureInfo.InvariantCulture), ["Scope"] = scope,
        };
        if (syncInterval is { } sync)
        {
            limit["SyncInterval"] = sync.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        return limit;
    }
}
