using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// Redis restarts without its data while the fleet runs, and a replica starts before anyone writes the key ring again: it
/// makes a key of its own, while the older replicas keep theirs. The older replicas write their keys back, every replica
/// reads the ring again, and the fleet shares the cache once more, in both directions, without a restart.
/// </summary>
public sealed class KeyRingLossTests : IClassFixture<FleetFixture>
{
    private const string Ring = "test:dataprotection-keys";

    private readonly FleetFixture _f;

    public KeyRingLossTests(FleetFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task RedisLosesTheRing_AReplicaStartsMeanwhile_TheFleetEndsOnOneRing_AndSharesTheCacheAgain()
    {
        var (first, _) = await _f.SignInAsync();
        await AssertOkAsync(_f.Gateway, first);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration + ",allowAdmin=true");
        var db = redis.GetDatabase();
        var original = KeyIds(await db.ListRangeAsync(Ring));
        Assert.NotEmpty(original);

        await redis.GetServers()[0].FlushAllDatabasesAsync();
        await using var replica = await _f.StartGatewayAsync();
        var (warm, _) = await _f.SignInAsync("bob");
        await AssertOkAsync(replica, warm);

        // The older replicas write back the keys Redis lost, and every replica reads the ring again: all encrypt with one key.
        await Eventually.ReturnsAsync(async () => KeyIds(await db.ListRangeAsync(Ring)), ids => original.All(ids.Contains), TimeSpan.FromSeconds(30));
        await Eventually.ReturnsAsync(
            () => Task.FromResult(new[] { _f.Gateway, _f.SecondGateway, replica }.Select(EncryptingKey).Distinct().Count()), n => n == 1, TimeSpan.FromSeconds(30));

        // What the new replica caches, an older one reads, and the other way round: one exchange each time.
        Assert.Equal(1, await ExchangesForOneUserAsync(replica, _f.Gateway));
        Assert.Equal(1, await ExchangesForOneUserAsync(_f.SecondGateway, replica));
    }

    /// <summary>The key a replica encrypts with now: the id Data Protection writes after its 4-byte magic header.</summary>
    private static Guid EncryptingKey(RunningApp replica)
    {
        var payload = replica.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect([1, 2, 3]);
        return new Guid(payload.AsSpan(4, 16));
    }

    /// <summary>A new user's request on one replica, then on the other: how many exchanges the two took.</summary>
    private async Task<int> ExchangesForOneUserAsync(RunningApp writer, RunningApp reader)
    {
        var (token, _) = await _f.SignInAsync();
        var before = await _f.TokenExchangesAsync();
        await AssertOkAsync(writer, token);
        await AssertOkAsync(reader, token);
        return await _f.TokenExchangesAsync() - before;
    }

    private static List<Guid> KeyIds(RedisValue[] entries) =>
        [.. entries.Select(e => XElement.Parse(e.ToString())).Where(e => e.Name == "key").Select(e => Guid.Parse((string)e.Attribute("id")!))];

    private static async Task AssertOkAsync(RunningApp gateway, string token)
    {
        using var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, "/orders/x", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
