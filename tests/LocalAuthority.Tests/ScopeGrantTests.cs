using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using WamsGateway.TestSupport;

namespace LocalAuthority.Tests;

/// <summary>
/// Scopes are granted as Auth0's RBAC grants them: OIDC scopes as asked, API scopes only where the
/// user holds the permission, whatever the client asks for.
/// </summary>
public sealed class ScopeGrantTests : IAsyncLifetime
{
    private RunningApp _app = null!;

    public async Task InitializeAsync() => _app = await RunningApp.StartAsync(LocalAuthorityApp.Build,
    [
        $"--LocalAuthority:KeyFile={Path.Combine(TempDirectory.Create("scopes"), "keys.json")}",
        "--LocalAuthority:Clients:mobile:Name=Mobile",
        "--LocalAuthority:Clients:gateway:Secret=gw",
        "--LocalAuthority:Users:alice:Password=alice-pw",
        "--LocalAuthority:Users:alice:Subject=auth0|alice",
        "--LocalAuthority:Users:alice:Permissions:0=read:todo",
        "--LocalAuthority:Users:alice:Permissions:1=write:todo",
        "--LocalAuthority:Users:alice:Permissions:2=read:orders",
        "--LocalAuthority:Users:bob:Password=bob-pw",
        "--LocalAuthority:Users:bob:Permissions:0=read:todo",
    ]);

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task PasswordGrant_ApiScopeTheUserLacks_IsNotGranted()
    {
        var body = await SignInAsync("bob", "openid read:orders");

        var access = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("openid", access.GetClaim("scope").Value);
        Assert.Equal("openid", body.GetProperty("scope").GetString());
        Assert.Equal(["read:todo"], access.GetPayloadValue<string[]>("permissions"));
        Assert.True(body.TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task PasswordGrant_GrantsOidcScopesAndOnlyTheAskedApiScopesTheUserHolds()
    {
        var body = await SignInAsync("alice", "openid profile email offline_access read:todo admin:everything read:orders");

        var access = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("openid profile email offline_access read:todo read:orders", access.GetClaim("scope").Value);
        Assert.Equal(access.GetClaim("scope").Value, body.GetProperty("scope").GetString());
        Assert.Equal(["read:todo", "write:todo", "read:orders"], access.GetPayloadValue<string[]>("permissions"));
    }

    [Theory]
    [InlineData("bob", "read:orders read:todo", "read:todo")]
    [InlineData("alice", "read:orders admin:everything", "read:orders")]
    public async Task TokenExchange_GrantsOnlyScopesTheSubjectHolds(string user, string asked, string granted)
    {
        var subject = (await SignInAsync(user, "openid")).GetProperty("access_token").GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
                ["subject_token"] = subject,
                ["subject_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
                ["audience"] = "https://orders.test",
                ["scope"] = asked,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("gateway:gw")));
        using var response = await _app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(granted, new JsonWebToken(body.GetProperty("access_token").GetString()).GetClaim("scope").Value);
        Assert.Equal(granted, body.GetProperty("scope").GetString());
    }

    private async Task<JsonElement> SignInAsync(string user, string scope)
    {
        using var response = await _app.Client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "mobile", ["username"] = user, ["password"] = user + "-pw",
            ["audience"] = "https://api.test", ["scope"] = scope,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
