using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using WamsGateway.Configuration;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// Whoever can write to Redis cannot become another user: a value belongs to the key it was written
/// under, so one copied to another caller's key is a miss, never served.
/// </summary>
public sealed class CacheBindingTests : IClassFixture<FleetFixture>
{
    private readonly FleetFixture _f;

    public CacheBindingTests(FleetFixture fixture)
    {
        _f = fixture;
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("app-delegated")]
    public async Task AliceEntryCopiedToBobsKey_BobGetsHisOwnCredential(string api)
    {
        var alice = await TokenForAsync("alice", api);
        var bob = await TokenForAsync("bob", api);
        Assert.Equal("auth0|alice", await SubjectForwardedAsync(_f.Gateway, api, alice));

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var aliceKey = await EntryKeyAsync(redis, api, alice);
        var bobKey = aliceKey.Replace(TokenHash.Of(alice), TokenHash.Of(bob), StringComparison.Ordinal);
        Assert.True(await redis.GetDatabase().KeyCopyAsync(aliceKey, bobKey, replace: true));
        var exchanges = await ExchangesAsync(api);

        // The second replica has nothing for bob in memory: it reads the planted value from Redis.
        Assert.Equal("auth0|bob", await SubjectForwardedAsync(_f.SecondGateway, api, bob));

        Assert.Equal(exchanges + 1, await ExchangesAsync(api));
        // Logged each time; at Warning once a minute at most, however many values are planted.
        Assert.Contains(_f.Logs.Lines, l => l.Contains($"for API {api} does not decrypt for its own key", StringComparison.Ordinal));
        Assert.Contains(_f.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("does not decrypt for its own key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EntryCopiedToAnotherApisKey_IsNotServedThere()
    {
        var (accessToken, _) = await _f.SignInAsync("alice");
        Assert.Equal("auth0|alice", await SubjectForwardedAsync(_f.Gateway, "orders", accessToken));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var ordersKey = await EntryKeyAsync(redis, "orders", accessToken);
        var catalog = _f.SecondGateway.Services.GetRequiredService<ApiCatalog>();
        var bodyKey = ordersKey.Replace($"delegation:orders:{catalog.Find("orders")!.Fingerprint}:",
            $"delegation:orders-body:{catalog.Find("orders-body")!.Fingerprint}:", StringComparison.Ordinal);
        Assert.NotEqual(ordersKey, bodyKey);
        Assert.Empty(await KeysAsync(redis, "orders-body"));

        // The same caller, another API: a credential minted for one API is never served for another.
        Assert.True(await redis.GetDatabase().KeyCopyAsync(ordersKey, bodyKey, replace: true));
        var before = await _f.TokenExchangesAsync();

        Assert.Equal("auth0|alice", await SubjectForwardedAsync(_f.SecondGateway, "orders-body", accessToken));

        Assert.Equal(before + 1, await _f.TokenExchangesAsync());
    }

    private async Task<string> TokenForAsync(string user, string api)
    {
        var (accessToken, idToken) = await _f.SignInAsync(user);
        return api == "orders" ? accessToken : idToken;
    }

    private Task<int> ExchangesAsync(string api) => api == "orders" ? _f.TokenExchangesAsync() : _f.DelegationsAsync();

    /// <summary>The <c>sub</c> of the credential the recorder received for this request.</summary>
    private async Task<string> SubjectForwardedAsync(WamsGateway.TestSupport.RunningApp gateway, string api, string token)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, $"/{api}/x?m={marker}", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var authorization = Assert.Single(Assert.Single(_f.Recorder.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal)).Header("Authorization"));
        var payload = authorization["Bearer ".Length..].Split('.')[1];
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(payload));
        return claims.RootElement.GetProperty("sub").GetString()!;
    }

    private static async Task<string> EntryKeyAsync(ConnectionMultiplexer redis, string api, string token) =>
        Assert.Single(await KeysAsync(redis, api), k => k.EndsWith(TokenHash.Of(token), StringComparison.Ordinal));

    private static Task<List<string>> KeysAsync(ConnectionMultiplexer redis, string api)
    {
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        return Task.FromResult(server.Keys(pattern: $"*delegation:{api}:*").Select(k => k.ToString())
            .Where(k => !k.Contains("lock", StringComparison.OrdinalIgnoreCase)).ToList());
    }
}
