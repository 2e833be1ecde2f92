using System.Net;
using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Forwarding;

/// <summary>What a backend receives: identity headers from the token only, and the caller's Authorization only with Passthrough.</summary>
public sealed class IdentityHeadersTests : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _f;

    public IdentityHeadersTests(GatewayFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task Forward_ValidToken_SetsIdentityHeadersFromClaimsAndDropsAuthorization()
    {
        var received = await ForwardAsync("/none/a", _f.Tokens.Valid("auth0|alice", "client-a"));

        Assert.Equal(["auth0|alice"], received.Header("X-User-Id"));
        Assert.Equal(["alice@example.com"], received.Header("X-User-Email"));
        Assert.Equal(["client-a"], received.Header("X-Client-Id"));
        Assert.Empty(received.Header("Authorization"));
    }

    [Fact]
    public async Task Forward_ForgedIdentityHeadersInAnyCaseAndCount_AreReplaced()
    {
        var received = await ForwardAsync("/none/forged", _f.Tokens.Valid("auth0|alice"), r =>
        {
            r.Headers.TryAddWithoutValidation("x-user-id", "auth0|mallory");
            r.Headers.TryAddWithoutValidation("X-USER-ID", "auth0|mallory2");
            r.Headers.TryAddWithoutValidation("X-User-Email", ["boss@example.com", "root@example.com"]);
            r.Headers.TryAddWithoutValidation("x-client-ID", "admin-console");
        });

        Assert.Equal(["auth0|alice"], received.Header("X-User-Id"));
        Assert.Equal(["alice@example.com"], received.Header("X-User-Email"));
        Assert.Equal(["client-a"], received.Header("X-Client-Id"));
    }

    [Fact]
    public async Task Forward_ClaimAbsent_GivesNoHeaderEvenWhenForged()
    {
        var claims = _f.Tokens.Claims();
        claims.Remove("email");

        var received = await ForwardAsync("/none/no-email", _f.Tokens.Sign(claims), r => r.Headers.Add("X-User-Email", "forged@example.com"));

        Assert.Empty(received.Header("X-User-Email"));
        Assert.Equal(["auth0|alice"], received.Header("X-User-Id"));
    }

    [Fact]
    public async Task Forward_Rfc9068TokenWithClientId_UsesItForClientHeader()
    {
        var claims = _f.Tokens.Claims();
        claims.Remove("azp");
        claims["client_id"] = "client-9068";

        var received = await ForwardAsync("/none/rfc9068", _f.Tokens.Sign(claims));

        Assert.Equal(["client-9068"], received.Header("X-Client-Id"));
    }

    [Fact]
    public async Task Forward_ClaimWithControlOrNonAsciiCharacters_IsPercentEncoded()
    {
        var claims = _f.Tokens.Claims();
        claims["email"] = "jos\u00e9@example.com\r\nX-Admin: true";

        var received = await ForwardAsync("/none/encoded", _f.Tokens.Sign(claims));

        Assert.Equal(["jos%C3%A9%40example.com%0D%0AX-Admin%3A%20true"], received.Header("X-User-Email"));
        Assert.Empty(received.Header("X-Admin"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData("true")]
    [InlineData(null)]
    public async Task Forward_EmailTheAuthorityDidNotVerify_GivesNoEmailHeader(object? verified)
    {
        var claims = _f.Tokens.Claims();
        claims["email_verified"] = verified;
        if (verified is null)
        {
            claims.Remove("email_verified");
        }

        var received = await ForwardAsync("/none/unverified", _f.Tokens.Sign(claims), r => r.Headers.Add("X-User-Email", "forged@example.com"));

        Assert.Empty(received.Header("X-User-Email"));
        Assert.Equal(["auth0|alice"], received.Header("X-User-Id"));
    }

    [Fact]
    public async Task Forward_EmailVerifiedInAnArray_OrSeveralEmails_GivesNoEmailHeader()
    {
        var arrayVerified = _f.Tokens.Claims();
        arrayVerified["email_verified"] = new[] { true };
        var severalEmails = _f.Tokens.Claims();
        severalEmails["email"] = new[] { "alice@example.com", "boss@example.com" };

        var first = await ForwardAsync("/none/array-verified", _f.Tokens.Sign(arrayVerified));
        var second = await ForwardAsync("/none/several-emails", _f.Tokens.Sign(severalEmails));

        Assert.Empty(first.Header("X-User-Email"));
        Assert.Empty(second.Header("X-User-Email"));
        Assert.Equal(["auth0|alice"], second.Header("X-User-Id"));
    }

    [Theory]
    [InlineData(12345)]
    [InlineData("")]
    [InlineData(null)]
    public async Task SubjectThatIsNotOneNonEmptyString_Is401_InvalidSubject(object? subject)
    {
        var claims = _f.Tokens.Claims();
        claims["sub"] = subject;
        var backend = _f.Backend.Requests.Count;

        using var response = await _f.SendAsync("/none/odd-sub", _f.Tokens.Sign(claims));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("sub is not one non-empty string", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(backend, _f.Backend.Requests.Count);
    }

    [Fact]
    public async Task TokenWithoutASub_Is401()
    {
        var claims = _f.Tokens.Claims();
        claims.Remove("sub");

        using var response = await _f.SendAsync("/none/no-sub", _f.Tokens.Sign(claims));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PaddedOrReSpelledToken_Is401_NotAnotherSpellingOfTheSameToken()
    {
        var token = _f.Tokens.Valid();
        using var plain = await _f.SendAsync("/none/plain", token);
        using var padded = await _f.SendAsync("/none/padded", token + "==");
        using var paddedPayload = await _f.SendAsync("/none/padded-payload", token.Replace(".", "=.", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, padded.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, paddedPayload.StatusCode);
    }

    [Theory]
    [InlineData("X-MS-CLIENT-PRINCIPAL-NAME")]
    [InlineData("X-Forwarded-User")]
    [InlineData("Remote-User")]
    [InlineData("X-Client-IP")]
    [InlineData("CF-Connecting-IP")]
    [InlineData("X-Forwarded-Port")]
    [InlineData("X-Original-Host")]
    [InlineData("X-Forwarded-Method")]
    [InlineData("X-Forwarded-Ssl")]
    [InlineData("Front-End-Https")]
    [InlineData("Client-IP")]
    [InlineData("X-Envoy-External-Address")]
    [InlineData("X-Amzn-Oidc-Identity")]
    [InlineData("X-Goog-Authenticated-User-Email")]
    [InlineData("X-Consumer-Username")]
    [InlineData("X-User")]
    [InlineData("X-Client-Cert")]
    [InlineData("X-Forwarded-Client-Cert")]
    [InlineData("Cf-Access-Authenticated-User-Email")]
    [InlineData("X-Pomerium-Claim-Email")]
    [InlineData("X-Remote-Extra-Scopes")]
    [InlineData("X-WEBAUTH-USER")]
    [InlineData("Proxy")]
    [InlineData("X-Forwarded")]
    [InlineData("X-ARR-SSL")]
    [InlineData("X-Forwarded-Tls-Client-Cert-Info")]
    [InlineData("X-SSL-Client-Verify")]
    [InlineData("X-Amzn-Mtls-Clientcert-Subject")]
    [InlineData("Impersonate-User")]
    [InlineData("Tailscale-User-Login")]
    [InlineData("X-Appengine-Inbound-Appid")]
    [InlineData("X-Azure-ClientIP")]
    [InlineData("X-Original-For")]
    [InlineData("MS-ASPNETCORE-CLIENTCERT")]
    [InlineData("X-Groups")]
    public async Task Forward_IdentityAndAddressHeadersOfOtherProxies_AreRemoved(string header)
    {
        var received = await ForwardAsync("/none/other-proxies", _f.Tokens.Valid(), r => r.Headers.TryAddWithoutValidation(header, "forged"));

        Assert.Empty(received.Header(header));
    }

    [Fact]
    public async Task Forward_ValueWithPercent_IsEncoded_SoNoAsciiTextPassesForAnotherClaim()
    {
        var claims = _f.Tokens.Claims(sub: "b\u00f6b");
        claims["email"] = "b\u00f6b@example.com";
        var lookalike = _f.Tokens.Claims(sub: "b%C3%B6b");
        lookalike["email"] = "b%C3%B6b%40example.com";

        var real = await ForwardAsync("/none/real", _f.Tokens.Sign(claims));
        var fake = await ForwardAsync("/none/lookalike", _f.Tokens.Sign(lookalike));

        Assert.Equal(["b%C3%B6b"], real.Header("X-User-Id"));
        Assert.Equal(["b%C3%B6b%40example.com"], real.Header("X-User-Email"));
        Assert.Equal(["b%25C3%25B6b"], fake.Header("X-User-Id"));
        Assert.Equal(["b%25C3%25B6b%2540example.com"], fake.Header("X-User-Email"));
        Assert.Equal("b%C3%B6b%40example.com", Uri.UnescapeDataString(fake.Header("X-User-Email")[0]));
    }

    [Fact]
    public async Task Forward_OneAuthority_SendsNoIssuerHeader_AndRemovesACallersCopy()
    {
        var received = await ForwardAsync("/none/issuer", _f.Tokens.Valid(), r => r.Headers.Add("X-User-Issuer", "https://forged.example/"));

        Assert.Empty(received.Header("X-User-Issuer"));
    }

    [Fact]
    public async Task Forward_HeadersThatChangeTheRequestsMeaningAtABackend_AreRemovedUnlessKept()
    {
        string[] meaningful = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "X-Original-URL", "X-Rewrite-URL", "X-Real-IP", "True-Client-IP"];
        void Send(HttpRequestMessage r)
        {
            foreach (var header in meaningful)
            {
                r.Headers.TryAddWithoutValidation(header, "forged");
            }

            r.Headers.TryAddWithoutValidation("x_http_method_override", "DELETE");
        }

        var received = await ForwardAsync("/none/meaning", _f.Tokens.Valid(), Send);
        Assert.All(meaningful, header => Assert.Empty(received.Header(header)));
        Assert.Empty(received.Header("x_http_method_override"));

        await using var keeping = new GatewayFixture { Customize = config => config["Gateway"]!["KeepHeaders"] = new JsonArray("X-Real-IP") };
        await keeping.InitializeAsync();
        using var response = await keeping.SendAsync("/none/kept", keeping.Tokens.Valid(), Send);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var kept = Assert.Single(keeping.Backend.Requests);
        Assert.Equal(["forged"], kept.Header("X-Real-IP"));
        Assert.Empty(kept.Header("X-HTTP-Method-Override"));
        Assert.Empty(kept.Header("True-Client-IP"));
    }

    [Fact]
    public async Task Forward_Passthrough_KeepsCallersAuthorization()
    {
        var token = _f.Tokens.Valid();

        var received = await ForwardAsync("/pass/a", token);

        Assert.Equal([$"Bearer {token}"], received.Header("Authorization"));
        Assert.Equal(["auth0|alice"], received.Header("X-User-Id"));
    }

    [Fact]
    public async Task Forward_RouteWithoutApi_RequiresTokenAndDropsAuthorization()
    {
        using var unauthenticated = await _f.SendAsync("/plain/a", null);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);

        var received = await ForwardAsync("/plain/a", _f.Tokens.Valid("auth0|bob"));

        Assert.Empty(received.Header("Authorization"));
        Assert.Equal(["auth0|bob"], received.Header("X-User-Id"));
    }

    [Theory]
    [InlineData("X(User-Id")]
    [InlineData("X-User@Id")]
    [InlineData("X-ZUMO/AUTH")]
    [InlineData("X-Amz{Security-Token")]
    public async Task Forward_AHeaderNameThatIsNoHttpToken_ReachesNoBackend_AndBreaksNothing(string name)
    {
        // HttpClient refuses such names; Kestrel takes them from a socket.
        var marker = Guid.NewGuid().ToString("N");
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(_f.Gateway.Address.Host, _f.Gateway.Address.Port);
        await using var stream = client.GetStream();
        var request = $"GET /anon/public?m={marker} HTTP/1.1\r\nHost: {_f.Gateway.Address.Authority}\r\n{name}: auth0|mallory\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        var answer = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        var received = Assert.Single(_f.Backend.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal));
        Assert.DoesNotContain(received.Headers, h => h.Value.Contains("auth0|mallory"));
    }

    [Fact]
    public async Task Forward_AnonymousRoute_ServesWithoutTokenAndStillStripsForgedHeaders()
    {
        var received = await ForwardAsync("/anon/public", null, r =>
        {
            r.Headers.Add("X-User-Id", "auth0|mallory");
            r.Headers.Add("X-Client-Id", "admin-console");
            r.Headers.Add("X-User-Email", "boss@example.com");
        });

        Assert.Empty(received.Header("X-User-Id"));
        Assert.Empty(received.Header("X-Client-Id"));
        Assert.Empty(received.Header("X-User-Email"));
    }

    [Fact]
    public async Task Forward_RequireVerifiedEmailOff_ForwardsTheAddressEitherWay()
    {
        await using var custom = new GatewayFixture { Customize = config => config["Gateway"]!["RequireVerifiedEmail"] = false };
        await custom.InitializeAsync();
        var claims = custom.Tokens.Claims();
        claims.Remove("email_verified");

        using var response = await custom.SendAsync("/none/any-email", custom.Tokens.Sign(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["alice@example.com"], Assert.Single(custom.Backend.Requests).Header("X-User-Email"));
    }

    [Fact]
    public async Task Forward_ConfiguredIdentityHeaders_MergeOverDefaults()
    {
        await using var custom = new GatewayFixture
        {
            Customize = config => config["Gateway"]!["IdentityHeaders"] = new JsonObject
            {
                ["X-User-Email"] = "",
                ["X-Tenant"] = "https://example.com/tenant",
            },
        };
        await custom.InitializeAsync();
        var claims = custom.Tokens.Claims();
        claims["https://example.com/tenant"] = "contoso";

        using var response = await custom.SendAsync("/none/custom", custom.Tokens.Sign(claims), r => r.Headers.Add("X-User-Email", "forged@example.com"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(custom.Backend.Requests);
        Assert.Equal(["contoso"], received.Header("X-Tenant"));
        Assert.Equal(["auth0|alice"], received.Header("X-User-Id"));
        Assert.Empty(received.Header("X-User-Email"));
    }

    private async Task<ReceivedRequest> ForwardAsync(string path, string? token, Action<HttpRequestMessage>? configure = null)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var response = await _f.SendAsync($"{path}?m={marker}", token, configure);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(_f.Backend.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal));
    }
}
