using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authentication;

/// <summary>
/// An API's <c>TokenHeader</c>: a Mobile Services app keeps its SDK, which sends the token in
/// <c>X-ZUMO-AUTH</c>; the gateway validates it as a bearer token and puts the exchanged one in its place.
/// </summary>
public sealed class TokenHeaderTests : IClassFixture<TokenHeaderTests.Fixture>
{
    private readonly Fixture _fixture;

    public TokenHeaderTests(Fixture fixture) => _fixture = fixture;

    [Fact]
    public async Task TokenInTheHeader_IsValidated_AndTheExchangedCredentialTakesItsPlace()
    {
        var token = _fixture.Tokens.Valid("auth0|zumo-user");
        using var response = await SendAsync("/zumo/tables/todoitem?$filter=(complete%20eq%20false)", zumo: [token], extra: request =>
        {
            request.Headers.TryAddWithoutValidation("X-ZUMO-APPLICATION", "app-key");
            request.Headers.TryAddWithoutValidation("X-ZUMO-INSTALLATION-ID", "install-1");
            request.Headers.TryAddWithoutValidation("X-ZUMO-VERSION", "ZUMO/1.2 (lang=Managed; os=Android)");
            request.Headers.TryAddWithoutValidation("ZUMO-API-VERSION", "2.0.0");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = _fixture.Backend.Requests[^1];
        var minted = Assert.Single(received.Header("X-ZUMO-AUTH"));
        Assert.NotEqual(token, minted);
        Assert.Equal("auth0|zumo-user", JsonNode.Parse(Base64Url.DecodeFromChars(minted.Split('.')[1]))!["uid"]!.GetValue<string>());
        Assert.Equal(["app-key"], received.Header("X-ZUMO-APPLICATION"));
        Assert.Equal(["install-1"], received.Header("X-ZUMO-INSTALLATION-ID"));
        Assert.Equal(["ZUMO/1.2 (lang=Managed; os=Android)"], received.Header("X-ZUMO-VERSION"));
        Assert.Equal(["2.0.0"], received.Header("ZUMO-API-VERSION"));
        Assert.Equal("/tables/todoitem?$filter=(complete%20eq%20false)", received.PathAndQuery);
        Assert.Equal(["auth0|zumo-user"], received.Header("X-User-Id"));
    }

    [Fact]
    public async Task TokenInBothPlaces_Is400InvalidRequest_AndNothingIsForwarded()
    {
        var token = _fixture.Tokens.Valid();
        var before = _fixture.Backend.Requests.Count;

        using var both = await SendAsync("/zumo/x", zumo: [token], bearer: token);
        using var twice = await SendAsync("/zumo/x", zumo: [token, token]);

        foreach (var response in new[] { both, twice })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            await ProblemAssert.IsProblemAsync(response, "invalid_request");
            Assert.StartsWith("Bearer error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, _fixture.Backend.Requests.Count);
    }

    [Fact]
    public async Task ABadTokenInTheHeader_Is401InvalidToken()
    {
        var claims = _fixture.Tokens.Claims();
        claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();

        using var expired = await SendAsync("/zumo/x", zumo: [_fixture.Tokens.Sign(claims)]);
        using var garbage = await SendAsync("/zumo/x", zumo: ["not-a-token"]);

        foreach (var response in new[] { expired, garbage })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            await ProblemAssert.IsProblemAsync(response, "invalid_token");
        }
    }

    [Fact]
    public async Task OnRoutesOfOtherApis_TheHeaderIsNeverReadAsAToken()
    {
        var token = _fixture.Tokens.Valid();

        using var none = await SendAsync("/none/x", zumo: [token]);
        using var plain = await SendAsync("/plain/x", zumo: [token]);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        await ProblemAssert.IsProblemAsync(none, "missing_token");
        Assert.Equal(HttpStatusCode.Unauthorized, plain.StatusCode);
    }

    [Fact]
    public async Task BearerToken_StillWorksOnTheSameRoute()
    {
        using var response = await SendAsync("/zumo/x", zumo: [], bearer: _fixture.Tokens.Valid("auth0|bearer-user"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["auth0|bearer-user"], _fixture.Backend.Requests[^1].Header("X-User-Id"));
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string[] zumo, string? bearer = null, Action<HttpRequestMessage>? extra = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var value in zumo)
        {
            request.Headers.TryAddWithoutValidation("X-ZUMO-AUTH", value);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        extra?.Invoke(request);
        return await _fixture.Gateway.Gateway.Client.SendAsync(request);
    }

    /// <summary>The default routes plus <c>/zumo</c>: a WamsMint API that takes the caller's token from <c>X-ZUMO-AUTH</c>.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public GatewayFixture Gateway { get; } = new()
        {
            Customize = config =>
            {
                config["Gateway"]!["Apis"]!["zumo"] = new JsonObject
                {
                    ["Exchange"] = "WamsMint",
                    ["MasterKey"] = "test-master-key",
                    ["Inject"] = "X-ZUMO-AUTH",
                    ["TokenHeader"] = "X-ZUMO-AUTH",
                };
                var route = GatewayConfig.Route("/zumo/{**rest}", "zumo");
                route["Transforms"] = new JsonArray(new JsonObject { ["PathRemovePrefix"] = "/zumo" });
                config["ReverseProxy"]!["Routes"]!["zumo"] = route;
            },
        };

        public TokenFactory Tokens => Gateway.Tokens;

        public RecordingBackend Backend => Gateway.Backend;

        public Task InitializeAsync() => Gateway.InitializeAsync();

        public Task DisposeAsync() => Gateway.DisposeAsync();
    }
}
