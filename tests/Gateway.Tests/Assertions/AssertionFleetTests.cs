using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WamsGateway.Assertions;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Assertions;

/// <summary>
/// Two replicas sharing a real redis-server: one key set for the fleet, rotation that a backend with a
/// cached key set rides through, and no private key in Redis or in the logs.
/// </summary>
public sealed class AssertionFleetTests : IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private RedisServer _redis = null!;
    private AssertionFleet _fleet = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _fleet = await AssertionFleet.StartAsync(replicas: 2, redis: _redis, logs: _logs);
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _redis.DisposeAsync();
        _logs.Dispose();
    }

    [Fact]
    public async Task Replicas_PublishTheSameKeys_AndSignWithTheSameOne()
    {
        var a = await KeyIdsAsync(_fleet.Gateways[0]);
        var b = await KeyIdsAsync(_fleet.Gateways[1]);
        var token = _fleet.LongLivedToken();
        var fromA = await RecordedKeyIdAsync(_fleet.Gateways[0], token);
        var fromB = await RecordedKeyIdAsync(_fleet.Gateways[1], token);

        Assert.Equal(2, a.Count);
        Assert.Equal(a, b);
        Assert.Equal(fromA, fromB);
        Assert.Equal(a[0], fromA);
    }

    [Fact]
    public async Task ABackendThatCachedTheKeySet_KeepsValidatingThroughARotation()
    {
        var token = _fleet.LongLivedToken();
        var before = await KeyIdsAsync(_fleet.Gateways[0]);

        // The backend reads the issuer's discovery document and key set once, on this first call through replica B.
        using (var first = await SendAsync(_fleet.Gateways[1], "/orders/api/whoami", token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The issuer's address goes away: whatever the backend validates from now on, it validates with what it cached.
        await _fleet.Gateways[0].DisposeAsync();
        _fleet.Gateways.RemoveAt(0);

        // Replica B's clock moves just into the next key period: it signs with the key published one period ahead.
        _fleet.Clocks[1].Advance(UntilNextPeriod(_fleet.Clocks[1]) + TimeSpan.FromSeconds(1));
        var rotated = await RecordedKeyIdAsync(_fleet.Gateways[0], token);
        using var after = await SendAsync(_fleet.Gateways[0], "/orders/api/whoami", _fleet.LongLivedToken("auth0|bob"));

        Assert.Equal(before[1], rotated);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var published = await KeyIdsAsync(_fleet.Gateways[0]);
        Assert.Equal([before[0], before[1]], published.Take(2));
        Assert.Equal(3, published.Count);
    }

    [Fact]
    public async Task ARetiredKey_StaysPublishedUntilItsLastAssertionHasExpired()
    {
        var before = await KeyIdsAsync(_fleet.Gateways[1]);
        var clock = _fleet.Clocks[1];

        clock.Advance(UntilNextPeriod(clock) + AssertionSettings.MaxLifetime);
        var stillPublished = await KeyIdsAsync(_fleet.Gateways[1]);
        clock.Advance(AssertionKeySchedule.ClockAllowance);
        var retired = await KeyIdsAsync(_fleet.Gateways[1]);

        Assert.Contains(before[0], stillPublished);
        Assert.DoesNotContain(before[0], retired);
        Assert.Equal(before[1], retired[0]);
    }

    [Fact]
    public async Task AKeyPlantedInRedis_ThatDoesNotOpen_IsReplacedOnce_AndEveryReplicaSignsWithTheReplacement()
    {
        var schedule = _fleet.Gateways[0].Services.GetRequiredService<AssertionKeyRing>().Schedule;
        var slot = schedule.Slot("ES256", schedule.GenerationAt(_fleet.Clocks[0].GetUtcNow()));
        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.Configuration))
        {
            var planted = JsonSerializer.SerializeToUtf8Bytes(new { Alg = "ES256", Pkcs8 = System.Security.Cryptography.ECDsa.Create().ExportPkcs8PrivateKey() });
            await redis.GetDatabase().StringSetAsync("test:assertion-key:" + slot, planted);
        }

        var token = _fleet.LongLivedToken();
        var fromA = await RecordedKeyIdAsync(_fleet.Gateways[0], token);
        var fromB = await RecordedKeyIdAsync(_fleet.Gateways[1], token);
        using var verified = await SendAsync(_fleet.Gateways[1], "/orders/api/whoami", token);

        Assert.Equal(fromA, fromB);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Single(_logs.Lines, l => l.Contains("does not open with this fleet's key ring", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RedisLosesThePeriodsKey_TheReplicasPutBackTheOneTheyUse_NoSplit()
    {
        var token = _fleet.LongLivedToken();
        var before = await RecordedKeyIdAsync(_fleet.Gateways[0], token);
        Assert.Equal(before, await RecordedKeyIdAsync(_fleet.Gateways[1], token));

        await DeleteCurrentSlotAsync();
        _fleet.Clocks[0].Advance(AssertionKeyRing.RecheckInterval);
        _fleet.Clocks[1].Advance(AssertionKeyRing.RecheckInterval);

        Assert.Equal(before, await RecordedKeyIdAsync(_fleet.Gateways[0], token));
        Assert.Equal(before, await RecordedKeyIdAsync(_fleet.Gateways[1], token));
        Assert.Contains(_logs.Lines, l => l.Contains("had lost the assertion key", StringComparison.Ordinal));
        var stored = await _fleet.Gateways[1].Services.GetRequiredService<IAssertionKeyStore>()
            .GetAsync(CurrentSlot(), m => AssertionKey.FromMaterial(m, "ES256", 0), CancellationToken.None);
        Assert.Equal(before, stored?.KeyId);
    }

    [Fact]
    public async Task AReplicaThatMadeItsOwnKey_AfterRedisLostAKeyBackendsMayNotKnowYet_IsFollowedByEveryReplica()
    {
        var token = _fleet.LongLivedToken();
        var fleetKey = await RecordedKeyIdAsync(_fleet.Gateways[0], token);
        Assert.Equal(fleetKey, await RecordedKeyIdAsync(_fleet.Gateways[1], token));

        var newcomer = await NewcomersKeyAsync();

        // Another caller's token: an assertion signed now, not one reused from before.
        var after = _fleet.LongLivedToken("auth0|carol");
        Assert.Equal(newcomer.KeyId, await RecordedKeyIdAsync(_fleet.Gateways[0], after));
        Assert.Equal(newcomer.KeyId, await RecordedKeyIdAsync(_fleet.Gateways[1], after));
        Assert.Contains(fleetKey, await KeyIdsAsync(_fleet.Gateways[0]));
        Assert.Contains(_logs.Lines, l => l.Contains("The fleet's assertion key for this period is", StringComparison.Ordinal));

        // The key it stopped signing with stays published until the assertions it signed have expired.
        _fleet.Clocks[0].Advance(AssertionSettings.MaxLifetime + AssertionKeySchedule.ClockAllowance);
        Assert.DoesNotContain(fleetKey, await KeyIdsAsync(_fleet.Gateways[0]));
    }

    [Fact]
    public async Task AKeyBackendsAlreadyKnow_IsPutBackOverOneANewcomerMade_AndTheFleetKeepsSigningWithIt()
    {
        // The fleet publishes this period's key and the next one; then, well into the next period, backends know its key.
        var token = _fleet.LongLivedToken();
        Assert.Equal(await RecordedKeyIdAsync(_fleet.Gateways[0], token), await RecordedKeyIdAsync(_fleet.Gateways[1], token));
        foreach (var clock in _fleet.Clocks)
        {
            clock.Advance(UntilNextPeriod(clock) + AssertionSettings.JwksMaxAge + TimeSpan.FromSeconds(1));
        }

        token = _fleet.LongLivedToken("auth0|bob");
        var fleetKey = await RecordedKeyIdAsync(_fleet.Gateways[0], token);
        Assert.Equal(fleetKey, await RecordedKeyIdAsync(_fleet.Gateways[1], token));

        var newcomer = await NewcomersKeyAsync();

        var after = _fleet.LongLivedToken("auth0|carol");
        Assert.Equal(fleetKey, await RecordedKeyIdAsync(_fleet.Gateways[0], after));
        Assert.Equal(fleetKey, await RecordedKeyIdAsync(_fleet.Gateways[1], after));
        var stored = await _fleet.Gateways[1].Services.GetRequiredService<IAssertionKeyStore>()
            .GetAsync(CurrentSlot(), m => AssertionKey.FromMaterial(m, "ES256", 0), CancellationToken.None);
        Assert.Equal(fleetKey, stored?.KeyId);
        Assert.Contains(_logs.Lines, l => l.Contains("a key this replica never published", StringComparison.Ordinal) && l.Contains(newcomer.KeyId, StringComparison.Ordinal));
        Assert.DoesNotContain(newcomer.KeyId, await KeyIdsAsync(_fleet.Gateways[0]));
    }

    [Fact]
    public async Task RedisAway_BeforeAnyKeyIsLoaded_AssertionRoutesAnswer503_OtherRoutesServe()
    {
        await _redis.StopAsync();
        var token = _fleet.LongLivedToken();

        using var assertion = await SendAsync(_fleet.Gateways[0], "/rec/x", token);
        using var jwks = await _fleet.Gateways[0].Client.GetAsync("/.well-known/jwks.json");
        using var plain = await SendAsync(_fleet.Gateways[0], "/none/x", token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, assertion.StatusCode);
        await ProblemAssert.IsProblemAsync(assertion, "assertion_unavailable");
        Assert.NotNull(assertion.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, jwks.StatusCode);
        await ProblemAssert.IsProblemAsync(jwks, "assertion_unavailable");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    [Fact]
    public async Task NoPrivateKey_InARedisDump_OrInTheLogs()
    {
        var token = _fleet.LongLivedToken();
        using (var response = await SendAsync(_fleet.Gateways[0], "/orders/api/whoami", token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var assertion = await RecordedAssertionAsync(_fleet.Gateways[1], token);
        var keys = await _fleet.Gateways[0].Services.GetRequiredService<AssertionKeyRing>().GetAsync(CancellationToken.None);
        var secrets = new[] { keys.Signing, keys.Next }.SelectMany(PrivateForms).ToList();
        var dump = await RedisDump.ReadAsync(_redis.Configuration);

        Assert.Contains(dump.Keys, k => k.StartsWith("test:assertion-key:", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.All(dump.Values, v => Assert.DoesNotContain(secret, v.Text, StringComparison.Ordinal));
            Assert.All(_logs.Lines, l => Assert.DoesNotContain(secret, l, StringComparison.Ordinal));
        }

        Assert.All(_logs.Lines, l => Assert.DoesNotContain(assertion.Split('.')[2], l, StringComparison.Ordinal));
    }

    private string CurrentSlot()
    {
        var schedule = _fleet.Gateways[0].Services.GetRequiredService<AssertionKeyRing>().Schedule;
        return schedule.Slot("ES256", schedule.GenerationAt(_fleet.Clocks[0].GetUtcNow()));
    }

    /// <summary>
    /// As a replica starting while Redis had lost the period's key would do: a new key for the current period, in Redis,
    /// that no backend has seen; then the fleet's replicas are due to read the store again.
    /// </summary>
    private async Task<AssertionKey> NewcomersKeyAsync()
    {
        await DeleteCurrentSlotAsync();
        var newcomer = await _fleet.Gateways[1].Services.GetRequiredService<IAssertionKeyStore>().GetOrAddAsync(CurrentSlot(),
            m => AssertionKey.FromMaterial(m, "ES256", 0), () => AssertionKey.Create("ES256", 0), CancellationToken.None);
        foreach (var clock in _fleet.Clocks)
        {
            clock.Advance(AssertionKeyRing.RecheckInterval);
        }

        return newcomer;
    }

    private async Task DeleteCurrentSlotAsync()
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        Assert.True(await redis.GetDatabase().KeyDeleteAsync("test:assertion-key:" + CurrentSlot()));
    }

    private static TimeSpan UntilNextPeriod(TimeProvider clock)
    {
        var schedule = new AssertionKeySchedule(TimeSpan.Parse(AssertionFleet.KeyLifetime, System.Globalization.CultureInfo.InvariantCulture));
        var now = clock.GetUtcNow();
        return schedule.Start(schedule.GenerationAt(now) + 1) - now;
    }

    /// <summary>The private key as the DER bytes, their base64, and the EC private scalar in base64url.</summary>
    private static IEnumerable<string> PrivateForms(AssertionKey key)
    {
        var pkcs8 = JsonNode.Parse(key.Material)!["Pkcs8"]!.GetValue<string>();
        var der = Convert.FromBase64String(pkcs8);
        using var ec = System.Security.Cryptography.ECDsa.Create();
        ec.ImportPkcs8PrivateKey(der, out _);
        yield return pkcs8;
        yield return Encoding.Latin1.GetString(der);
        yield return Base64Url.EncodeToString(ec.ExportParameters(true).D);
        yield return Convert.ToBase64String(ec.ExportParameters(true).D!);
    }

    private static async Task<List<string>> KeyIdsAsync(RunningApp gateway)
    {
        var jwks = JsonNode.Parse(await gateway.Client.GetStringAsync("/.well-known/jwks.json"))!["keys"]!.AsArray();
        return jwks.Select(k => k!["kid"]!.GetValue<string>()).ToList();
    }

    private async Task<string> RecordedAssertionAsync(RunningApp gateway, string token)
    {
        var before = _fleet.Recorder.Requests.Count;
        using var response = await SendAsync(gateway, "/rec/x", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(_fleet.Recorder.Requests[before].Header("X-Gateway-Assertion"));
    }

    private async Task<string> RecordedKeyIdAsync(RunningApp gateway, string token)
    {
        var assertion = await RecordedAssertionAsync(gateway, token);
        return JsonDocument.Parse(Base64Url.DecodeFromChars(assertion.Split('.')[0])).RootElement.GetProperty("kid").GetString()!;
    }

    private static async Task<HttpResponseMessage> SendAsync(RunningApp gateway, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await gateway.Client.SendAsync(request);
    }
}
