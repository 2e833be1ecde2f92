using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Caching;

/// <summary>One exchange per caller token and API, however many requests, sequential or concurrent.</summary>
public sealed class DelegationCacheTests : IClassFixture<DelegationFixture>
{
    private readonly DelegationFixture _f;

    public DelegationCacheTests(DelegationFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task SequentialRequests_OneTokenOneApi_OneExchange()
    {
        var (_, idToken) = await _f.SignInAsync();
        var before = await _f.DelegationsAsync();

        for (var i = 0; i < 10; i++)
        {
            using var response = await _f.SendAsync(HttpMethod.Get, "/app-delegated/seq", idToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(before + 1, await _f.DelegationsAsync());
    }

    [Fact]
    public async Task ConcurrentFirstRequests_OneExchange()
    {
        var (accessToken, _) = await _f.SignInAsync();
        var before = await _f.TokenExchangesAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => _f.SendAsync(HttpMethod.Get, "/orders/concurrent", accessToken)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Equal(before + 1, await _f.TokenExchangesAsync());
    }

    [Fact]
    public async Task DifferentTokensOrApis_ExchangeSeparately()
    {
        var (_, alice1) = await _f.SignInAsync("alice");
        var (_, alice2) = await _f.SignInAsync("alice");
        var before = await _f.DelegationsAsync();

        foreach (var (api, token) in new[] { ("app-delegated", alice1), ("app-delegated", alice2), ("wams-delegated", alice1), ("app-delegated", alice1) })
        {
            using var response = await _f.SendAsync(HttpMethod.Get, $"/{api}/api/whoami", token);
            Assert.True(response.IsSuccessStatusCode, $"{api}: {response.StatusCode}");
        }

        Assert.Equal(before + 3, await _f.DelegationsAsync());
    }
}

/// <summary>How long an entry lives, on the gateway's clock: the earlier expiry less the margin, then a new exchange.</summary>
public sealed class DelegationCacheExpiryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly DelegationFixture _f;

    public DelegationCacheExpiryTests()
    {
        _f = new DelegationFixture { Time = _time };
    }

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task Entry_LivesUntilCredentialExpiryLessMargin()
    {
        // wams-minted: the ZUMO token lives 10 minutes, the caller's token an hour; margin 60 s: 540 s.
        var (_, idToken) = await _f.SignInAsync();
        var first = await ZumoAsync(idToken);

        _time.Advance(TimeSpan.FromSeconds(530));
        Assert.Equal(first, await ZumoAsync(idToken));

        _time.Advance(TimeSpan.FromSeconds(20));
        var renewed = await ZumoAsync(idToken);
        Assert.NotEqual(first, renewed);
    }

    [Fact]
    public async Task Entry_LivesUntilCallerTokenExpiryLessMargin()
    {
        // app-delegated: both tokens live an hour from the authority's clock (from the caller's iat); the
        // gateway's clock is set from that iat, however long the fixture took to start.
        var (_, idToken) = await _f.SignInAsync();
        var issuedAt = new DateTimeOffset(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(idToken).IssuedAt, TimeSpan.Zero);
        var before = await _f.DelegationsAsync();
        await WhoAmIAsync("app-delegated", idToken);

        _time.SetUtcNow(Later(issuedAt.AddSeconds(3600 - 60 - 15)));
        await WhoAmIAsync("app-delegated", idToken);
        Assert.Equal(before + 1, await _f.DelegationsAsync());

        _time.SetUtcNow(Later(issuedAt.AddSeconds(3600 - 60 + 5)));
        await WhoAmIAsync("app-delegated", idToken);
        Assert.Equal(before + 2, await _f.DelegationsAsync());
    }

    /// <summary>A fake clock only moves forward.</summary>
    private DateTimeOffset Later(DateTimeOffset at) => at > _time.GetUtcNow() ? at : throw new InvalidOperationException($"The gateway's clock is past {at:O} already.");

    private async Task<string> ZumoAsync(string idToken)
    {
        var body = await WhoAmIAsync("wams-minted", idToken);
        return body.GetProperty("credential").GetProperty("fingerprint").GetString()!;
    }

    private async Task<JsonElement> WhoAmIAsync(string api, string token)
    {
        using var response = await _f.SendAsync(HttpMethod.Get, $"/{api}/api/whoami", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
