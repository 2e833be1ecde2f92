using System.Net;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authorization;

/// <summary>AllowedClients and RequiredScopes, checked before any exchange.</summary>
public sealed class ApiPolicyTests : IClassFixture<DelegationFixture>
{
    private readonly DelegationFixture _f;

    public ApiPolicyTests(DelegationFixture fixture)
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
        // alice has write:todo as an RBAC permission and asks for read:todo as a scope.
        var (token, _) = await _f.SignInAsync("alice", scope: "openid read:todo");

        using var response = await _f.SendAsync(HttpMethod.Get, "/scoped/x", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
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
