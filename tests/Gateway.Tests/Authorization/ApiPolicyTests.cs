using System.Net;
using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authorization;

/// <summary>AllowedClients and RequiredScopes, checked before any exchange.</summary>
public sealed class ApiPolicyTests(DelegationFixture fixture) : ApiPolicyTestsBase<DelegationFixture>(fixture);

/// <summary>The same, with the gateway in a team's own YARP host (<see cref="Hosting.ForeignHost"/>).</summary>
public sealed class ForeignHostApiPolicyTests(Hosting.ForeignHostFixture fixture) : ApiPolicyTestsBase<Hosting.ForeignHostFixture>(fixture);

/// <summary>The tests themselves, for whichever host the fixture starts.</summary>
public abstract class ApiPolicyTestsBase<TFixture> : IClassFixture<TFixture>
    where TFixture : DelegationFixture
{
    private readonly TFixture _f;

    protected ApiPolicyTestsBase(TFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task ClientNotAllowed_Is403ProblemAndNotProxied()
    {
        var (token, _) = await _f.SignInAsync(clientId: "todo-mobile");
        var before = _f.Recorder.Requests.Count;

        using var response = await _f.SendAsync(HttpMethod.Get, "/desktop-only/x", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "client_not_allowed");
        Assert.Equal(before, _f.Recorder.Requests.Count);
    }

    [Fact]
    public async Task AllowedClient_IsProxied()
    {
        var (token, _) = await _f.SignInAsync(clientId: "todo-desktop");

        using var response = await _f.SendAsync(HttpMethod.Get, "/desktop-only/x", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ScopeMissing_Is403WithInsufficientScopeChallenge()
    {
        var (token, _) = await _f.SignInAsync("bob", scope: "openid read:todo");
        var before = _f.Recorder.Requests.Count;

        using var response = await _f.SendAsync(HttpMethod.Get, "/scoped/x", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.StartsWith("error=\"insufficient_scope\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("scope=\"read:todo write:todo\"", challenge.Parameter, StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(response, "insufficient_scope");
        Assert.Equal(before, _f.Recorder.Requests.Count);
    }

    [Fact]
    public async Task ScopesFromScopeClaimAndPermissions_AreBothCounted()
    {
        // The local authority grants only scopes the user holds as permissions (Auth0 RBAC), so a
        // token with a scope in `scope` and another only in `permissions` comes from the test issuer.
        await using var gateway = new GatewayFixture
        {
            Customize = config =>
            {
                config["Gateway"]!["Apis"]!["scoped"] = new JsonObject { ["Exchange"] = "None", ["RequiredScopes"] = new JsonArray("read:todo", "write:todo") };
                config["ReverseProxy"]!["Routes"]!["scoped"] = GatewayConfig.Route("/scoped/{**rest}", "scoped");
            },
        };
        await gateway.InitializeAsync();
        var both = gateway.Tokens.Claims();
        both["scope"] = "openid read:todo";
        both["permissions"] = new[] { "write:todo" };
        var scopeOnly = gateway.Tokens.Claims();
        scopeOnly["scope"] = "openid read:todo";

        using var allowed = await gateway.SendAsync("/scoped/x", gateway.Tokens.Sign(both));
        using var refused = await gateway.SendAsync("/scoped/x", gateway.Tokens.Sign(scopeOnly));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task PolicyRefusal_NeverAsksTheAuthority()
    {
        var (_, idToken) = await _f.SignInAsync("alice");
        var before = await _f.DelegationsAsync();

        using var response = await _f.SendAsync(HttpMethod.Get, "/admin-delegated/x", idToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "insufficient_scope");
        Assert.Equal(before, await _f.DelegationsAsync());
    }
}
