using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SampleBackend.Tests.Zumo;
using WamsGateway.TestSupport;

namespace SampleBackend.Tests.Diagnostics;

/// <summary>
/// <c>/api/whoami</c> shows who called and what credential arrived (decoded claims, a short
/// fingerprint), never a credential itself: an echo of one would hand it to whoever can read the answer.
/// </summary>
public sealed class WhoAmITests : IAsyncLifetime
{
    private RunningApp _app = null!;

    public async Task InitializeAsync() => _app = await RunningApp.StartAsync(SampleBackendApp.Build,
        ["--SampleBackend:MasterKey=" + ZumoTokens.MasterKey, $"--SampleBackend:Database={Path.Combine(TempDirectory.Create("whoami"), "todo.db")}"]);

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Answer_NeverContainsAnyCredentialItReceived()
    {
        var zumo = ZumoTokens.Mint(ZumoTokens.Claims("auth0|alice", DateTimeOffset.UtcNow));
        var bearer = ZumoTokens.Mint(ZumoTokens.Claims("auth0|bearer", DateTimeOffset.UtcNow));
        var stray = ZumoTokens.Mint(ZumoTokens.Claims("auth0|stray", DateTimeOffset.UtcNow));
        const string SessionToken = "FQoGZXIvYXdzEXAMPLESESSIONTOKENvalue0123456789";
        const string ApiKey = "api-key-value-0123456789abcdef";
        const string CookieValue = "session=cookie-value-0123456789abcdef";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        request.Headers.TryAddWithoutValidation("X-ZUMO-AUTH", zumo);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", SessionToken);
        request.Headers.TryAddWithoutValidation("X-Api-Key", ApiKey);
        request.Headers.TryAddWithoutValidation("Cookie", CookieValue);
        request.Headers.TryAddWithoutValidation("X-Something-Else", stray);
        request.Headers.TryAddWithoutValidation("X-User-Id", "auth0|alice");

        using var response = await _app.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var secret in new[] { zumo, bearer, stray, SessionToken, ApiKey, CookieValue, "cookie-value-0123456789abcdef" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret.Split('.').Last(), text, StringComparison.Ordinal);
        }

        var body = JsonDocument.Parse(text).RootElement;
        var headers = body.GetProperty("headers");
        Assert.Equal("auth0|alice", headers.GetProperty("X-User-Id")[0].GetString());
        Assert.Equal($"[redacted sha256:{Fingerprint(zumo)}]", headers.GetProperty("X-ZUMO-AUTH")[0].GetString());
        Assert.Equal($"Bearer [redacted sha256:{Fingerprint(bearer)}]", headers.GetProperty("Authorization")[0].GetString());
        Assert.Equal($"[redacted sha256:{Fingerprint(SessionToken)}]", headers.GetProperty("X-Amz-Security-Token")[0].GetString());
        Assert.Equal($"[redacted sha256:{Fingerprint(stray)}]", headers.GetProperty("X-Something-Else")[0].GetString());
    }

    [Fact]
    public async Task Credential_IsDescribedByItsClaimsAndFingerprint()
    {
        var zumo = ZumoTokens.Mint(ZumoTokens.Claims("auth0|alice", DateTimeOffset.UtcNow));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        request.Headers.TryAddWithoutValidation("X-ZUMO-AUTH", zumo);

        using var response = await _app.Client.SendAsync(request);

        var credential = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("credential");
        Assert.Equal("X-ZUMO-AUTH", credential.GetProperty("header").GetString());
        Assert.Equal(Fingerprint(zumo), credential.GetProperty("fingerprint").GetString());
        Assert.Equal("auth0|alice", credential.GetProperty("claims").GetProperty("uid").GetString());
        Assert.Equal("HS256", credential.GetProperty("joseHeader").GetProperty("alg").GetString());
        Assert.False(credential.TryGetProperty("value", out _));
    }

    private static string Fingerprint(string credential) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(credential)))[..12];
}
