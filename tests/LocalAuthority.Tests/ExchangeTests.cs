using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using WamsGateway.TestSupport;

namespace LocalAuthority.Tests;

/// <summary>The authority's RFC 8693 token exchange and Auth0-style /delegation, and its failure switch.</summary>
public sealed class ExchangeTests : IAsyncLifetime
{
    private const string MasterKey = "wams-master";
    private RunningApp _app = null!;

    public async Task InitializeAsync() => _app = await RunningApp.StartAsync(LocalAuthorityApp.Build,
    [
        $"--LocalAuthority:KeyFile={Path.Combine(TempDirectory.Create("exchange"), "keys.json")}",
        "--LocalAuthority:Clients:mobile:Name=Mobile",
        "--LocalAuthority:Clients:gateway:Secret=gw",
        $"--LocalAuthority:Clients:wams-app:WamsMasterKey={MasterKey}",
        "--LocalAuthority:Users:alice:Password=pw",
        "--LocalAuthority:Users:alice:Subject=auth0|alice",
        "--LocalAuthority:Users:alice:Email=alice@example.com",
    ]);

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task TokenExchange_KeepsSubjectSetsAudienceAndNamesActor()
    {
        var (access, _) = await SignInAsync();

        using var response = await ExchangeAsync(access, "gateway", "gw", "https://orders.test");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", body.GetProperty("issued_token_type").GetString());
        var token = new JsonWebToken(body.GetProperty("access_token").GetString()!);
        Assert.Equal("auth0|alice", token.Subject);
        Assert.Equal(["https://orders.test"], token.Audiences);
        Assert.Equal("gateway", JsonDocument.Parse(token.GetClaim("act").Value).RootElement.GetProperty("sub").GetString());
    }

    [Theory]
    [InlineData("mobile", null, "unauthorized_client", HttpStatusCode.Forbidden)]
    [InlineData("gateway", "wrong", "invalid_client", HttpStatusCode.Unauthorized)]
    public async Task TokenExchange_RefusesClientsThatMayNot(string clientId, string? secret, string error, HttpStatusCode status)
    {
        var (access, _) = await SignInAsync();

        using var response = await ExchangeAsync(access, clientId, secret, "https://orders.test");

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task TokenExchange_ForeignSubjectToken_IsInvalidRequest()
    {
        using var response = await ExchangeAsync("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "gateway", "gw", "https://orders.test");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Delegation_Wams_MintsZumoWithTargetsMasterKey()
    {
        var (_, id) = await SignInAsync();

        using var response = await DelegateAsync(id, "mobile", "wams-app", "wams");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var zumo = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id_token").GetString()!;
        var parts = zumo.Split('.');
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(MasterKey + "JWTSig"));
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(expected, parts[2]);
        var token = new JsonWebToken(zumo);
        Assert.Equal("0", token.Kid);
        Assert.Equal("auth0|alice", token.GetClaim("uid").Value);
    }

    [Fact]
    public async Task Delegation_App_IssuesIdTokenForTarget()
    {
        var (_, id) = await SignInAsync();

        using var response = await DelegateAsync(id, "mobile", "gateway", "app");

        var token = new JsonWebToken(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id_token").GetString()!);
        Assert.Equal(["gateway"], token.Audiences);
        Assert.Equal("auth0|alice", token.Subject);
    }

    [Fact]
    public async Task Delegation_AccessTokenOrOtherClientsIdToken_IsRefused()
    {
        var (access, id) = await SignInAsync();

        using var withAccessToken = await DelegateAsync(access, "mobile", "wams-app", "wams");
        using var wrongClient = await DelegateAsync(id, "gateway", "wams-app", "wams");

        Assert.Equal(HttpStatusCode.Unauthorized, withAccessToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongClient.StatusCode);
    }

    [Theory]
    [InlineData("Refuse", HttpStatusCode.Forbidden)]
    [InlineData("Unavailable", HttpStatusCode.ServiceUnavailable)]
    [InlineData("ServerError", HttpStatusCode.InternalServerError)]
    [InlineData("RateLimited", HttpStatusCode.TooManyRequests)]
    [InlineData("Garbage", HttpStatusCode.OK)]
    public async Task FailureModes_ApplyToExchangesAndAreCounted(string mode, HttpStatusCode status)
    {
        var (_, id) = await SignInAsync();
        (await _app.Client.PostAsync($"/admin/failure-mode/{mode}", null)).EnsureSuccessStatusCode();

        using var response = await DelegateAsync(id, "mobile", "wams-app", "wams");
        var stats = JsonDocument.Parse(await _app.Client.GetStringAsync("/admin/stats")).RootElement;

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(mode == "Garbage" ? "text/html" : "application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, stats.GetProperty("delegations").GetInt32());
        Assert.Equal(mode, stats.GetProperty("mode").GetString());
    }

    private async Task<(string Access, string Id)> SignInAsync()
    {
        using var response = await _app.Client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "mobile", ["username"] = "alice", ["password"] = "pw", ["audience"] = "https://api.test", ["scope"] = "openid",
        }));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("id_token").GetString()!);
    }

    private async Task<HttpResponseMessage> ExchangeAsync(string subject, string clientId, string? secret, string audience)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
                ["subject_token"] = subject,
                ["subject_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
                ["audience"] = audience,
                ["client_id"] = clientId,
            }),
        };
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        }

        return await _app.Client.SendAsync(request);
    }

    private Task<HttpResponseMessage> DelegateAsync(string idToken, string clientId, string target, string apiType) =>
        _app.Client.PostAsync("/delegation", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer", ["client_id"] = clientId, ["id_token"] = idToken,
            ["target"] = target, ["api_type"] = apiType, ["scope"] = "openid",
        }));
}
