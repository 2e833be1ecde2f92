using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Hosting;

/// <summary>
/// The package in a team's own host: the gateway's rules on every proxied route, the host's own endpoint,
/// scheme, middleware and problem details untouched, and an exchange kind written outside the gateway.
/// (<see cref="Delegation.ForeignHostExchangeKindTests"/> and <see cref="Authorization.ForeignHostApiPolicyTests"/>
/// run the gateway's end-to-end tests against this host.)
/// </summary>
public sealed class ForeignHostTests : IClassFixture<ForeignHostFixture>
{
    private readonly ForeignHostFixture _f;

    public ForeignHostTests(ForeignHostFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task CustomKind_SignsForTheCaller_AndIsCachedPerCaller()
    {
        var (alice, _) = await _f.SignInAsync("alice");
        var before = _f.TeamKind.Exchanges;

        using var first = await _f.SendAsync(HttpMethod.Get, "/team-assertion/a", alice, configure: r =>
        {
            // A caller's own copies of the kind's headers never reach the backend.
            r.Headers.TryAddWithoutValidation("X-Team-Subject", "auth0|mallory");
            r.Headers.TryAddWithoutValidation("X_Team_Assertion", "1.forged");
        });
        using var second = await _f.SendAsync(HttpMethod.Get, "/team-assertion/b", alice);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var received = _f.Recorder.Requests.Last(r => r.PathAndQuery.EndsWith("/a", StringComparison.Ordinal));
        Assert.Equal(["auth0|alice"], received.Header("X-Team-Subject"));
        var parts = Assert.Single(received.Header("X-Team-Assertion")).Split('.');
        Assert.Equal(TeamAssertionExchange.Sign(ForeignHostFixture.AssertionKey, "auth0|alice", long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)), parts[1]);
        Assert.DoesNotContain(received.Headers.Keys, k => k.Equals("X_Team_Assertion", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(before + 1, _f.TeamKind.Exchanges);
    }

    [Fact]
    public async Task CustomKindHeaders_AreStrippedOnEveryRoute()
    {
        var (alice, _) = await _f.SignInAsync("alice");

        using var response = await _f.SendAsync(HttpMethod.Get, "/orders/x", alice, configure: r =>
            r.Headers.TryAddWithoutValidation("X-Team-Assertion", "1.forged"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_f.Recorder.Requests.Last(r => r.PathAndQuery == "/x").Header("X-Team-Assertion"));
    }

    [Fact]
    public async Task CredentialFreeKind_NeedsNoCaller_ObtainsNothing_AndOwnsItsHeaderOnEveryRoute()
    {
        var before = await _f.DelegationsAsync();

        // No token at all: the kind needs no caller, and the route is anonymous.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/catalog/items"))
        {
            request.Headers.TryAddWithoutValidation("X-Catalog-Tenant", "apac");
            request.Headers.TryAddWithoutValidation("X_Catalog_Tenant", "apac");
            using var response = await _f.Gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var received = _f.Recorder.Requests.Last(r => r.PathAndQuery == "/catalog/items");
        Assert.Equal(["emea"], received.Header("X-Catalog-Tenant"));
        Assert.DoesNotContain(received.Headers.Keys, k => k.Equals("X_Catalog_Tenant", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(received.Header("Authorization"));
        Assert.Equal(before, await _f.DelegationsAsync());

        // Another API's route: the kind's header is the gateway's there too.
        var (alice, _) = await _f.SignInAsync("alice");
        using (var other = await _f.SendAsync(HttpMethod.Get, "/orders/catalog-probe", alice, configure: r => r.Headers.TryAddWithoutValidation("X-Catalog-Tenant", "apac")))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        Assert.Empty(_f.Recorder.Requests.Last(r => r.PathAndQuery == "/catalog-probe").Header("X-Catalog-Tenant"));
    }

    [Fact]
    public async Task CustomKind_BadSettings_StopTheHostAtStart_NamingTheKey()
    {
        var config = JsonNode.Parse(await File.ReadAllTextAsync(_f.ConfigPath))!.AsObject();
        config["Gateway"]!["Apis"]!["team-assertion"] = new JsonObject { ["Exchange"] = "TeamAssertion", ["Key"] = "short", ["Keyy"] = "typo" };

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RunningApp.StartAsync(args => ForeignHost.Build(args), [$"--config={GatewayConfig.Write(config)}"]));

        Assert.Contains(ex.Failures, f => f.StartsWith("Gateway:Apis:team-assertion:Key: required, at least 16 characters", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Gateway:Apis:team-assertion:Keyy: unknown setting", StringComparison.Ordinal));
        Assert.DoesNotContain(ex.Failures, f => f.Contains("short", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostEndpoint_KeepsTheHostsSchemeAndPolicy()
    {
        var (alice, _) = await _f.SignInAsync("alice");

        using var withBearer = await _f.SendAsync(HttpMethod.Get, "/team/status", alice);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/team/status");
        request.Headers.Add("X-Team-Key", ForeignHost.TeamKey);
        using var withKey = await _f.Gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, withBearer.StatusCode);
        Assert.Empty(withBearer.Headers.WwwAuthenticate);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Contains("team-operator", await withKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHostsOwnAuthorizationHandler_StillDecidesOnTheGatewaysPolicy()
    {
        var (alice, _) = await _f.SignInAsync("alice");

        using var passes = await _f.SendAsync(HttpMethod.Get, "/orders/x", alice);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/x");
        request.Headers.Authorization = new("Bearer", alice);
        request.Headers.Add("X-Team-Blocked", "yes");
        using var blocked = await _f.Gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, passes.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
    }

    [Fact]
    public async Task ProxiedRoute_NeedsTheGatewaysToken_NotTheHostsKey()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/x");
        request.Headers.Add("X-Team-Key", ForeignHost.TeamKey);

        using var response = await _f.Gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(response, "missing_token");
    }

    [Fact]
    public async Task AnonymousRoute_NeverForwardsTheHostsUserAsIdentity()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/anon/who");
        request.Headers.Add("X-Team-Key", ForeignHost.TeamKey);

        using var response = await _f.Gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = _f.Recorder.Requests.Last(r => r.PathAndQuery == "/anon/who");
        Assert.Empty(received.Header("X-User-Id"));
    }

    [Fact]
    public async Task HostMiddlewareAndProblemDetails_ApplyToTheGatewaysAnswers()
    {
        var (token, _) = await _f.SignInAsync(clientId: "todo-mobile");

        using var response = await _f.SendAsync(HttpMethod.Get, "/desktop-only/x", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(["yes"], response.Headers.GetValues("X-Team-Host"));
        await ProblemAssert.IsProblemAsync(response, "client_not_allowed");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("payments", body.RootElement.GetProperty("team").GetString());
    }

    [Fact]
    public async Task HealthHelper_ServesReadiness()
    {
        using var response = await _f.Gateway.Client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("configuration").GetProperty("status").GetString());
    }
}

/// <summary>
/// The AWS suite through a team's own host that tunes YARP's outbound client after adding the gateway
/// (<c>ConfigureHttpClient</c>, as YARP's documentation shows): it starts, its tuning reaches the clusters, and every
/// request is signed as in the standalone gateway.
/// </summary>
public sealed class ForeignHostAwsSigningTests(ForeignHostFixture fixture) : Forwarding.AwsSigningTestsBase<ForeignHostFixture>(fixture)
{
    [Fact]
    public void TheHostsOwnClientTuning_ReachesEveryCluster_TheAwsOnesIncluded()
    {
        Assert.Equal(512, ForeignHost.TunedClusters["wams"]);
        Assert.Equal(512, ForeignHost.TunedClusters["backend"]);
    }
}
