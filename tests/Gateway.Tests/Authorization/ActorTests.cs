using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authorization;

/// <summary>
/// A delegated token (RFC 8693 <c>act</c>, what a token exchange gives a backend) comes back through the gateway only
/// where an API names its actor: elsewhere it is 401 <c>invalid_token</c>, never forwarded, never exchanged.
/// </summary>
public sealed class ActorTests : IClassFixture<ActorTests.Fixture>
{
    private readonly Fixture _f;

    public ActorTests(Fixture fixture) => _f = fixture;

    [Theory]
    [InlineData("/none/x")]
    [InlineData("/pass/x")]
    [InlineData("/plain/x")]
    [InlineData("/actors/x")]
    public async Task DelegatedToken_OfAnActorNoApiNames_Is401AndNeverForwarded(string path)
    {
        var before = _f.Backend.Requests.Count;

        using var response = await _f.SendAsync(path, Delegated(new JsonObject { ["sub"] = "orders-backend" }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
        Assert.Contains("delegated tokens (act)", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, _f.Backend.Requests.Count);
    }

    [Theory]
    [InlineData("sub", "gateway")]
    [InlineData("client_id", "batch-service")]
    public async Task DelegatedToken_OfAnActorTheApiNames_IsForwardedAsTheUser(string member, string actor)
    {
        using var response = await _f.SendAsync("/actors/x", Delegated(new JsonObject { [member] = actor }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["auth0|alice"], _f.Backend.Requests[^1].Header("X-User-Id"));
    }

    [Fact]
    public async Task DelegatedToken_WhoseActClaimNamesNobody_IsRefusedEvenWhereActorsAreAllowed()
    {
        using var response = await _f.SendAsync("/actors/x", Delegated(new JsonObject()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task OrdinaryToken_IsUnaffected()
    {
        using var response = await _f.SendAsync("/none/x", _f.Tokens.Valid());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private string Delegated(JsonObject act)
    {
        var claims = _f.Tokens.Claims();
        claims["act"] = act;
        return _f.Tokens.Sign(claims);
    }

    /// <summary>The default routes, and <c>/actors</c> whose API takes the delegated tokens of two actors.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly GatewayFixture _gateway = new()
        {
            Customize = config =>
            {
                config["Gateway"]!["Apis"]!["actors"] = new JsonObject { ["Exchange"] = "None", ["AllowedActors"] = new JsonArray("gateway", "batch-service") };
                config["ReverseProxy"]!["Routes"]!["actors"] = GatewayConfig.Route("/actors/{**rest}", "actors");
            },
        };

        public RecordingBackend Backend => _gateway.Backend;

        public TokenFactory Tokens => _gateway.Tokens;

        public Task InitializeAsync() => _gateway.InitializeAsync();

        public Task DisposeAsync() => _gateway.DisposeAsync();

        public Task<HttpResponseMessage> SendAsync(string path, string token) => _gateway.SendAsync(path, token);
    }
}

/// <summary>An exchanging API whose credentials the gateway would itself accept inbound is named at start.</summary>
public sealed class CredentialAudienceWarningTests
{
    [Fact]
    public async Task ExchangeForAnAudienceTheGatewayAccepts_IsWarnedAboutAtStart_OthersAreNot()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = new GatewayFixture
        {
            Customize = config =>
            {
                var apis = config["Gateway"]!["Apis"]!;
                apis["replayable"] = new JsonObject
                {
                    ["Exchange"] = "TokenExchange", ["ClientId"] = "gateway", ["ClientSecret"] = "s", ["Audience"] = GatewayConfig.Audience,
                    ["TokenEndpoint"] = "http://127.0.0.1:9/oauth/token",
                };
                apis["own-audience"] = new JsonObject
                {
                    ["Exchange"] = "TokenExchange", ["ClientId"] = "gateway", ["ClientSecret"] = "s", ["Audience"] = "https://backend.test",
                    ["TokenEndpoint"] = "http://127.0.0.1:9/oauth/token",
                };
            },
            ConfigureServices = services => services.AddLogging(logging => logging.AddProvider(logs)),
        };
        await gateway.InitializeAsync();

        var warnings = logs.Lines.Where(l => l.Contains("which the gateway accepts inbound", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains($"API replayable obtains credentials for audience {GatewayConfig.Audience}", warning, StringComparison.Ordinal);
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
    }
}
