using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Delegation;

/// <summary>Each exchange kind end to end: what the backend receives, checked by the backend's own validator where there is one.</summary>
public sealed class ExchangeKindTests(DelegationFixture fixture) : ExchangeKindTestsBase<DelegationFixture>(fixture);

/// <summary>The same, with the gateway in a team's own YARP host (<see cref="Hosting.ForeignHost"/>).</summary>
public sealed class ForeignHostExchangeKindTests(Hosting.ForeignHostFixture fixture) : ExchangeKindTestsBase<Hosting.ForeignHostFixture>(fixture);

/// <summary>The tests themselves, for whichever host the fixture starts.</summary>
public abstract class ExchangeKindTestsBase<TFixture> : IClassFixture<TFixture>
    where TFixture : DelegationFixture
{
    private readonly TFixture _f;

    protected ExchangeKindTestsBase(TFixture fixture)
    {
        _f = fixture;
    }

    [Theory]
    [InlineData("wams-delegated")]
    [InlineData("wams-minted")]
    public async Task Wams_TodoTable_RowsBelongToTheSignedInUser(string api)
    {
        var (_, aliceId) = await _f.SignInAsync("alice");
        var (_, bobId) = await _f.SignInAsync("bob");
        var text = $"buy milk via {api} {Guid.NewGuid():N}";

        using var created = await _f.SendAsync(HttpMethod.Post, $"/{api}/tables/todoitem", aliceId, new { text, complete = false, userId = "auth0|mallory" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var row = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("auth0|alice", row.GetProperty("userId").GetString());

        using var aliceList = await _f.SendAsync(HttpMethod.Get, $"/{api}/tables/todoitem", aliceId);
        using var bobList = await _f.SendAsync(HttpMethod.Get, $"/{api}/tables/todoitem", bobId);
        Assert.Contains(await aliceList.Content.ReadFromJsonAsync<JsonElement[]>() ?? [], r => r.GetProperty("text").GetString() == text);
        Assert.DoesNotContain(await bobList.Content.ReadFromJsonAsync<JsonElement[]>() ?? [], r => r.GetProperty("text").GetString() == text);

        using var bobDelete = await _f.SendAsync(HttpMethod.Delete, $"/{api}/tables/todoitem/{row.GetProperty("id").GetString()}", bobId);
        Assert.Equal(HttpStatusCode.NotFound, bobDelete.StatusCode);
    }

    [Fact]
    public async Task WamsMint_ZumoTokenHasTheAddOnsShape()
    {
        var (_, idToken) = await _f.SignInAsync("alice");

        var received = await ForwardAsync("wams-minted-recorded", idToken);

        var zumo = new JsonWebToken(Assert.Single(received.Header("X-ZUMO-AUTH")));
        Assert.Equal("HS256", zumo.Alg);
        Assert.Equal("JWT", zumo.Typ);
        Assert.Equal("0", zumo.Kid);
        Assert.Equal("auth0|alice", zumo.GetClaim("uid").Value);
        Assert.Equal("2", zumo.GetClaim("ver").Value);
        Assert.Equal("urn:microsoft:windows-azure:zumo", zumo.Issuer);
        Assert.Equal(["wams-app"], zumo.Audiences);
        var subjectExpiry = new JsonWebToken(idToken).ValidTo;
        Assert.True(zumo.ValidTo <= subjectExpiry);
        Assert.InRange(zumo.ValidTo, DateTime.UtcNow.AddMinutes(9), DateTime.UtcNow.AddMinutes(10).AddSeconds(5));
    }

    [Fact]
    public async Task Auth0Delegation_AppType_BackendGetsTargetsIdTokenNotTheCallers()
    {
        var (_, idToken) = await _f.SignInAsync("alice");

        var received = await ForwardAsync("app-delegated", idToken);

        var authorization = Assert.Single(received.Header("Authorization"));
        Assert.StartsWith("Bearer ", authorization, StringComparison.Ordinal);
        var delegated = new JsonWebToken(authorization["Bearer ".Length..]);
        Assert.NotEqual(idToken, delegated.EncodedToken);
        Assert.Equal("auth0|alice", delegated.Subject);
        Assert.Equal(["other-app"], delegated.Audiences);
        Assert.Equal(["auth0|alice"], received.Header("X-User-Id"));
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("orders-body")]
    public async Task TokenExchange_BackendGetsExchangedAccessToken(string api)
    {
        var (accessToken, _) = await _f.SignInAsync("alice");

        var received = await ForwardAsync(api, accessToken);

        var exchanged = new JsonWebToken(Assert.Single(received.Header("Authorization"))["Bearer ".Length..]);
        Assert.Equal("auth0|alice", exchanged.Subject);
        Assert.Equal(["https://orders.test"], exchanged.Audiences);
        Assert.Equal("gateway", JsonDocument.Parse(exchanged.GetClaim("act").Value).RootElement.GetProperty("sub").GetString());
        Assert.NotEqual(accessToken, exchanged.EncodedToken);
    }

    [Fact]
    public async Task ForgedCredentialHeaders_AreReplaced()
    {
        var (_, idToken) = await _f.SignInAsync("alice");

        var received = await ForwardAsync("wams-minted-recorded", idToken, r =>
        {
            r.Headers.TryAddWithoutValidation("X-ZUMO-AUTH", "forged.zumo.token");
            r.Headers.TryAddWithoutValidation("x-zumo-auth", "another.forged.token");
        });

        var zumo = new JsonWebToken(Assert.Single(received.Header("X-ZUMO-AUTH")));
        Assert.Equal("auth0|alice", zumo.GetClaim("uid").Value);
        Assert.Empty(received.Header("Authorization"));
    }

    [Fact]
    public async Task WamsBackendWhoAmI_DescribesTheZumoTokenWithoutEchoingIt()
    {
        var (_, idToken) = await _f.SignInAsync("alice");
        // The same API and caller token share one cache entry: the recorder sees the token whoami got.
        var zumo = Assert.Single((await ForwardAsync("wams-minted-recorded", idToken)).Header("X-ZUMO-AUTH"));

        using var response = await _f.SendAsync(HttpMethod.Get, "/wams-minted/api/whoami", idToken);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(zumo, text, StringComparison.Ordinal);
        Assert.DoesNotContain(zumo.Split('.')[2], text, StringComparison.Ordinal);
        Assert.DoesNotContain(idToken.Split('.')[2], text, StringComparison.Ordinal);
        var credential = JsonDocument.Parse(text).RootElement.GetProperty("credential");
        Assert.Equal("X-ZUMO-AUTH", credential.GetProperty("header").GetString());
        Assert.Equal(SampleBackend.Diagnostics.CredentialFingerprint.Of(zumo), credential.GetProperty("fingerprint").GetString());
        Assert.Equal("auth0|alice", credential.GetProperty("claims").GetProperty("uid").GetString());
    }

    [Fact]
    public async Task Auth0Delegation_WithAccessTokenInsteadOfIdToken_IsDeniedLikeAuth0Would()
    {
        var (accessToken, _) = await _f.SignInAsync("alice");

        using var response = await _f.SendAsync(HttpMethod.Get, "/wams-delegated/tables/todoitem", accessToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "delegation_denied");
        Assert.Equal("invalid_grant", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    private async Task<ReceivedRequest> ForwardAsync(string api, string token, Action<HttpRequestMessage>? configure = null)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var response = await _f.SendAsync(HttpMethod.Get, $"/{api}/item?m={marker}", token, configure: configure);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(_f.Recorder.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal));
    }
}
