using System.Net;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace LocalAuthority.Tests;

public sealed class AuthorityTests : IAsyncLifetime
{
    private AuthorityFixture _f = null!;

    public async Task InitializeAsync() => _f = await AuthorityFixture.StartAsync();

    public Task DisposeAsync() => _f.DisposeAsync().AsTask();

    [Fact]
    public async Task Discovery_IsAuth0Shaped()
    {
        var retriever = new HttpDocumentRetriever(_f.App.Client) { RequireHttps = false };
        var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(_f.Issuer + ".well-known/openid-configuration", retriever, default);

        Assert.EndsWith("/", configuration.Issuer, StringComparison.Ordinal);
        Assert.Equal(_f.Issuer, configuration.Issuer);
        Assert.Equal(_f.Issuer + "oauth/token", configuration.TokenEndpoint);
        var key = Assert.Single(configuration.SigningKeys);
        Assert.False(string.IsNullOrEmpty(key.KeyId));
    }

    [Fact]
    public async Task PasswordGrant_IssuesAccessAndIdTokensThatValidateAgainstTheJwks()
    {
        using var response = await _f.PasswordGrantAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await AuthorityFixture.JsonAsync(response);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt32());

        var access = await _f.ValidateAsync(body.GetProperty("access_token").GetString()!, "https://api.test");
        Assert.True(access.IsValid, access.Exception?.Message);
        Assert.Equal("auth0|alice", access.Claims["sub"]);
        Assert.Equal("mobile-app", access.Claims["azp"]);
        Assert.Equal("openid read:todo", access.Claims["scope"]);
        Assert.Equal("alice@example.com", access.Claims["email"]);

        var id = await _f.ValidateAsync(body.GetProperty("id_token").GetString()!, "mobile-app");
        Assert.True(id.IsValid, id.Exception?.Message);
        Assert.Equal("auth0|alice", id.Claims["sub"]);
    }

    [Fact]
    public async Task PasswordGrant_JsonBody_IsAcceptedLikeAuth0()
    {
        using var response = await _f.App.Client.PostAsync("/oauth/token", new StringContent(
            """{"grant_type":"password","client_id":"mobile-app","username":"alice","password":"alice-password","scope":"openid"}""",
            System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await AuthorityFixture.JsonAsync(response);
        Assert.True(body.TryGetProperty("id_token", out _));
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    [Theory]
    [InlineData("wrong-password", "mobile-app", HttpStatusCode.Forbidden, "invalid_grant")]
    [InlineData("alice-password", "unknown-app", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("alice-password", "backend-service", HttpStatusCode.Unauthorized, "invalid_client")]
    public async Task PasswordGrant_Refusals_AreOAuthErrors(string password, string clientId, HttpStatusCode status, string error)
    {
        using var response = await _f.PasswordGrantAsync(password, clientId);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, (await AuthorityFixture.JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task ConfidentialClient_WithBasicSecret_IsAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password", ["username"] = "alice", ["password"] = "alice-password", ["audience"] = "https://api.test",
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("backend-service:s3cret"u8.ToArray()));

        using var response = await _f.App.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Keys_PersistAcrossRestart()
    {
        var before = await _f.App.Client.GetStringAsync(".well-known/jwks.json");

        await _f.RestartAsync();

        Assert.Equal(before, await _f.App.Client.GetStringAsync(".well-known/jwks.json"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_f.KeyFile));
        }
    }

    [Fact]
    public async Task Rotate_NewKeySignsAndOldStaysPublished()
    {
        using var oldResponse = await _f.PasswordGrantAsync();
        var oldToken = (await AuthorityFixture.JsonAsync(oldResponse)).GetProperty("access_token").GetString()!;

        using var rotate = await _f.App.Client.PostAsync("/admin/rotate-keys", null);
        var newKid = (await AuthorityFixture.JsonAsync(rotate)).GetProperty("kid").GetString();
        using var newResponse = await _f.PasswordGrantAsync();
        var newToken = (await AuthorityFixture.JsonAsync(newResponse)).GetProperty("access_token").GetString()!;

        var jwks = new Microsoft.IdentityModel.Tokens.JsonWebKeySet(await _f.App.Client.GetStringAsync(".well-known/jwks.json"));
        Assert.Equal(2, jwks.Keys.Count);
        Assert.Equal(newKid, new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(newToken).Kid);
        Assert.True((await _f.ValidateAsync(oldToken, "https://api.test")).IsValid);
        Assert.True((await _f.ValidateAsync(newToken, "https://api.test")).IsValid);
    }
}
