using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.Assertions;
using WamsGateway.TestSupport;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Assertions;

/// <summary>
/// The gateway's signed assertion, end to end: the sample backend checks it with stock JwtBearer
/// against the gateway's discovery document, and refuses everything that is not a fresh assertion for
/// its audience (and, when bound, for this method and URL).
/// </summary>
public sealed class AssertionEndToEndTests : IAsyncLifetime
{
    private AssertionFleet _stack = null!;

    private RunningApp Gateway => _stack.Gateways[0];

    public async Task InitializeAsync() => _stack = await AssertionFleet.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task ThroughTheGateway_TheBackendVerifiesTheAssertion_AndReportsItsClaims()
    {
        using var response = await SendAsync(Gateway.Client, HttpMethod.Get, "/orders/api/whoami", _stack.Tokens.Valid());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var assertion = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("assertion");
        Assert.Equal(_stack.Issuer, assertion.GetProperty("iss").GetString());
        Assert.Equal(AssertionFleet.Audience, assertion.GetProperty("aud").GetString());
        Assert.Equal("auth0|alice", assertion.GetProperty("sub").GetString());
        Assert.Equal("client-a", assertion.GetProperty("azp").GetString());
        Assert.Equal(_stack.Authority.Issuer, assertion.GetProperty("idp").GetString());
        Assert.Equal("alice@example.com", assertion.GetProperty("email").GetString());
        Assert.True(assertion.TryGetProperty("jti", out _));
        Assert.False(assertion.TryGetProperty("htm", out _));
    }

    [Fact]
    public async Task EverySpellingOfTheCallersIssuer_GivesTheAuthorityAsConfigured_InTheAssertionAndTheIssuerHeader()
    {
        const string Alias = "https://login.example.test/";
        await using var stack = await AssertionFleet.StartAsync(customize: config =>
        {
            config["Gateway"]!["Authentication"]!["ValidIssuers"] = new JsonArray(Alias);

            // A second tenant, so the issuer header is sent (its tokens are never used here).
            config["Gateway"]!["Authentication"]!["Authorities"] = new JsonObject
            {
                ["eu"] = new JsonObject { ["Authority"] = "http://127.0.0.1:9/", ["Audiences"] = new JsonArray("https://eu.test"), ["RequireHttpsMetadata"] = false },
            };
        });
        var configured = stack.Authority.Issuer;
        Assert.EndsWith("/", configured, StringComparison.Ordinal);

        foreach (var spelling in new[] { configured, configured.TrimEnd('/'), Alias })
        {
            var claims = stack.Tokens.Claims();
            claims["iss"] = spelling;
            var token = stack.Tokens.Sign(claims);

            using var signed = await SendAsync(stack.Gateways[0].Client, HttpMethod.Get, "/orders/api/whoami", token);
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
            var assertion = JsonDocument.Parse(await signed.Content.ReadAsStringAsync()).RootElement.GetProperty("assertion");
            Assert.Equal(configured, assertion.GetProperty("idp").GetString());

            using var recorded = await SendAsync(stack.Gateways[0].Client, HttpMethod.Get, "/rec/x", token);
            Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
            Assert.Equal([configured], stack.Recorder.Requests[^1].Header("X-User-Issuer"));
        }
    }

    [Fact]
    public async Task BoundAssertion_ThroughTheGateway_MatchesTheMethodAndUrlTheBackendReceives()
    {
        using var get = await SendAsync(Gateway.Client, HttpMethod.Get, "/orders-bound/api/whoami?x=1", _stack.Tokens.Valid());

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var assertion = JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement.GetProperty("assertion");
        Assert.Equal("GET", assertion.GetProperty("htm").GetString());
        Assert.Equal(new Uri(_stack.Backend.Address, "api/whoami").AbsoluteUri, assertion.GetProperty("htu").GetString());
    }

    [Fact]
    public async Task BoundAssertion_OnARouteThatKeepsTheCallersHost_NamesTheHostTheBackendSees()
    {
        await using var stack = await AssertionFleet.StartAsync(customize: config =>
        {
            var route = GatewayConfig.Route("/kept/{**rest}", "orders-bound", cluster: "sample");
            route["Transforms"] = new JsonArray(new JsonObject { ["PathRemovePrefix"] = "/kept" }, new JsonObject { ["RequestHeaderOriginalHost"] = "true" });
            config["ReverseProxy"]!["Routes"]!["kept"] = route;
        });

        using var response = await SendAsync(stack.Gateways[0].Client, HttpMethod.Get, "/kept/api/whoami", stack.Tokens.Valid());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var assertion = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("assertion");
        Assert.Equal(new Uri(stack.Gateways[0].Address, "api/whoami").AbsoluteUri, assertion.GetProperty("htu").GetString());
    }

    [Fact]
    public async Task DirectCallToTheBackend_WithoutAnAssertion_IsRefused()
    {
        using var direct = await SendAsync(_stack.Backend.Client, HttpMethod.Get, "/api/whoami", null);
        using var withCallerToken = await SendAsync(_stack.Backend.Client, HttpMethod.Get, "/api/whoami", _stack.Tokens.Valid());

        Assert.Equal(HttpStatusCode.Unauthorized, direct.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withCallerToken.StatusCode);
    }

    [Fact]
    public async Task AnAssertionForAnotherAudience_IsRefusedByTheBackend()
    {
        using var response = await SendAsync(Gateway.Client, HttpMethod.Get, "/other/api/whoami", _stack.Tokens.Valid());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ATamperedAssertion_IsRefused()
    {
        var assertion = await RecordedAssertionAsync("/rec/x");
        Assert.Equal(HttpStatusCode.OK, await DirectStatusAsync(HttpMethod.Get, "/api/whoami", assertion));

        var parts = assertion.Split('.');
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        claims["sub"] = "auth0|mallory";
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()))}.{parts[2]}";
        var unsigned = $"{Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"gateway-assertion+jwt\"}"u8)}.{parts[1]}.";

        Assert.Equal(HttpStatusCode.Unauthorized, await DirectStatusAsync(HttpMethod.Get, "/api/whoami", tampered));
        Assert.Equal(HttpStatusCode.Unauthorized, await DirectStatusAsync(HttpMethod.Get, "/api/whoami", unsigned));
    }

    [Fact]
    public async Task AnExpiredAssertion_SignedWithTheGatewaysKey_IsRefused()
    {
        // Signed by the gateway's own current key, with a clock twenty minutes behind: it expired long ago.
        var keys = await Gateway.Services.GetRequiredService<AssertionKeyRing>().GetAsync(CancellationToken.None);
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-20));
        using var cache = new MemoryCache(new MemoryCacheOptions());
        var issuer = new AssertionIssuer(_stack.Issuer, past, cache);
        var settings = new ApiAssertionSettings { Audience = AssertionFleet.Audience };
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "auth0|alice")], "test"));
        var expired = issuer.Sign(keys.Signing, settings, user, default, null, null, out _);
        var fresh = new AssertionIssuer(_stack.Issuer, TimeProvider.System, cache).Sign(keys.Signing, settings, user, default, null, null, out _);

        Assert.Equal(HttpStatusCode.OK, await DirectStatusAsync(HttpMethod.Get, "/api/whoami", fresh));
        Assert.Equal(HttpStatusCode.Unauthorized, await DirectStatusAsync(HttpMethod.Get, "/api/whoami", expired));
    }

    [Fact]
    public async Task ABoundAssertion_ReplayedWithAnotherMethodOrPath_IsRefused()
    {
        var keys = await Gateway.Services.GetRequiredService<AssertionKeyRing>().GetAsync(CancellationToken.None);
        var issuer = Gateway.Services.GetRequiredService<AssertionIssuer>();
        var settings = new ApiAssertionSettings { Audience = AssertionFleet.Audience, BindRequest = true };
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "auth0|alice")], "test"));
        string Bound() => issuer.Sign(keys.Signing, settings, user, default, "GET", new Uri(_stack.Backend.Address, "api/whoami").AbsoluteUri, out _);

        // Each a fresh assertion, so only the binding can refuse it.
        Assert.Equal(HttpStatusCode.OK, await DirectStatusAsync(HttpMethod.Get, "/api/whoami?any=query", Bound()));
        Assert.Equal(HttpStatusCode.Unauthorized, await DirectStatusAsync(HttpMethod.Delete, "/api/whoami", Bound()));
        Assert.Equal(HttpStatusCode.Unauthorized, await DirectStatusAsync(HttpMethod.Head, "/api/whoami", Bound()));
        Assert.Equal(HttpStatusCode.Unauthorized, await DirectStatusAsync(HttpMethod.Get, "/tables/todoitem", Bound()));
        Assert.Equal(HttpStatusCode.Unauthorized, await DirectStatusAsync(HttpMethod.Get, "/api/whoami/", Bound()));
        Assert.Equal(HttpStatusCode.Unauthorized, await DirectStatusAsync(HttpMethod.Get, "/api/WhoAmI", Bound()));
    }

    [Fact]
    public async Task ABoundAssertion_ServesOneRequest_TheSameOneSentAgainIsRefused()
    {
        var keys = await Gateway.Services.GetRequiredService<AssertionKeyRing>().GetAsync(CancellationToken.None);
        var settings = new ApiAssertionSettings { Audience = AssertionFleet.Audience, BindRequest = true };
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "auth0|alice")], "test"));
        var bound = Gateway.Services.GetRequiredService<AssertionIssuer>().Sign(keys.Signing, settings, user, default, "GET", new Uri(_stack.Backend.Address, "api/whoami").AbsoluteUri, out _);

        Assert.Equal(HttpStatusCode.OK, await DirectStatusAsync(HttpMethod.Get, "/api/whoami", bound));
        Assert.Equal(HttpStatusCode.Unauthorized, await DirectStatusAsync(HttpMethod.Get, "/api/whoami", bound));
    }

    [Fact]
    public async Task BoundAssertion_NamesTheMethodAsSent_WhateverCaseTheCallerWroteItIn()
    {
        using var response = await SendAsync(Gateway.Client, new HttpMethod("get"), "/orders-bound/api/whoami", _stack.Tokens.Valid());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("GET", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("assertion").GetProperty("htm").GetString());
    }

    [Fact]
    public async Task BoundAssertion_ForAPathWithEncodedCharacters_IsTheOneTheBackendVerifies()
    {
        using var response = await SendAsync(Gateway.Client, HttpMethod.Get, "/orders-bound/api/whoami%2Fextra", _stack.Tokens.Valid());

        // The sample backend has no such endpoint; what matters is that the assertion was accepted (404, not 401).
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task ACallerWithoutASubject_IsRefused_401InvalidSubject(string? sub)
    {
        using var response = await SendWithSubjectAsync(sub);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("sub is not one non-empty string", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  ")]
    [InlineData("\t")]
    public async Task ACallerWithABlankSubject_GetsNoAssertion_403(string sub)
    {
        using var response = await SendWithSubjectAsync(sub);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "subject_missing");
    }

    /// <summary>A call of the orders API with the caller's <c>sub</c> replaced (null: without one).</summary>
    private Task<HttpResponseMessage> SendWithSubjectAsync(string? sub)
    {
        var claims = _stack.Tokens.Claims();
        claims.Remove("sub");
        if (sub is not null)
        {
            claims["sub"] = sub;
        }

        return SendAsync(Gateway.Client, HttpMethod.Get, "/orders/api/whoami", _stack.Tokens.Sign(claims));
    }

    [Fact]
    public async Task UnboundAssertions_AreReusedPerCallerToken_BoundOnesAreSignedPerRequest()
    {
        var alice = _stack.Tokens.Valid();
        var bob = _stack.Tokens.Valid("auth0|bob");

        var first = await RecordedAssertionAsync("/rec/a", alice);
        var again = await RecordedAssertionAsync("/rec/b", alice);
        var other = await RecordedAssertionAsync("/rec/a", bob);
        var bound1 = await RecordedAssertionAsync("/rec-bound/a", alice);
        var bound2 = await RecordedAssertionAsync("/rec-bound/a", alice);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.NotEqual(bound1, bound2);
        Assert.NotEqual(Claims(bound1)["jti"]!.GetValue<string>(), Claims(bound2)["jti"]!.GetValue<string>());
    }

    [Fact]
    public async Task Assertion_HasAnExplicitType_AKeyIdFromTheJwks_AndALifetimeWithinTheCallersToken()
    {
        var claims = _stack.Tokens.Claims();
        claims["exp"] = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeSeconds();
        var assertion = await RecordedAssertionAsync("/rec/x", _stack.Tokens.Sign(claims));
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(assertion.Split('.')[0]))!;
        var jwks = JsonNode.Parse(await Gateway.Client.GetStringAsync("/.well-known/jwks.json"))!["keys"]!.AsArray();

        Assert.Equal("gateway-assertion+jwt", header["typ"]!.GetValue<string>());
        Assert.Equal("ES256", header["alg"]!.GetValue<string>());
        Assert.Contains(jwks, k => k!["kid"]!.GetValue<string>() == header["kid"]!.GetValue<string>());
        Assert.Equal((long)claims["exp"]!, Claims(assertion)["exp"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("\"true\"", false)]
    [InlineData("\"True\"", false)]
    [InlineData("[true]", false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public async Task Assertion_SaysEmailVerified_OnlyForTheJsonValueTrue(string verified, bool expected)
    {
        var claims = _stack.Tokens.Claims();
        claims["email_verified"] = JsonSerializer.Deserialize<JsonElement>(verified);
        var assertion = Claims(await RecordedAssertionAsync("/rec/verified", _stack.Tokens.Sign(claims)));

        Assert.Equal("alice@example.com", assertion["email"]!.GetValue<string>());
        Assert.Equal(expected, assertion["email_verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Assertion_LeavesOutAnEmailTheTokenNamesSeveralTimes()
    {
        var claims = _stack.Tokens.Claims();
        claims["email"] = new[] { "alice@example.com", "boss@example.com" };
        var assertion = Claims(await RecordedAssertionAsync("/rec/emails", _stack.Tokens.Sign(claims)));

        Assert.Null(assertion["email"]);
        Assert.Null(assertion["email_verified"]);
    }

    [Fact]
    public async Task DiscoveryAndJwks_AreAnonymous_Cacheable_AndHoldNoPrivateKey()
    {
        using var discovery = await Gateway.Client.GetAsync("/.well-known/openid-configuration");
        using var jwks = await Gateway.Client.GetAsync("/.well-known/jwks.json");
        var document = JsonNode.Parse(await discovery.Content.ReadAsStringAsync())!;
        var keys = JsonNode.Parse(await jwks.Content.ReadAsStringAsync())!["keys"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
        Assert.Equal(_stack.Issuer, document["issuer"]!.GetValue<string>());
        Assert.Equal(_stack.Issuer + ".well-known/jwks.json", document["jwks_uri"]!.GetValue<string>());
        Assert.Equal(TimeSpan.FromMinutes(5), discovery.Headers.CacheControl!.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(5), jwks.Headers.CacheControl!.MaxAge);
        Assert.Equal(2, keys.Count);
        Assert.All(keys, k =>
        {
            Assert.Equal("EC", k!["kty"]!.GetValue<string>());
            Assert.Null(k["d"]);
        });
    }

    [Fact]
    public async Task WellKnownDocuments_WinOverACatchAllRoute()
    {
        await using var stack = await AssertionFleet.StartAsync(customize: config =>
            config["ReverseProxy"]!["Routes"]!["catch-all"] = GatewayConfig.Route("/{**rest}", null));

        using var jwks = await stack.Gateways[0].Client.GetAsync("/.well-known/jwks.json");
        using var proxied = await stack.Gateways[0].Client.GetAsync("/.well-known/other");

        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
        Assert.NotNull(JsonNode.Parse(await jwks.Content.ReadAsStringAsync())!["keys"]);
        Assert.Equal(HttpStatusCode.Unauthorized, proxied.StatusCode);
    }

    [Fact]
    public async Task ForgedAssertionHeaders_NeverReachABackend_OnAnyRoute()
    {
        var forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.";
        foreach (var path in new[] { "/none/x", "/pass/x", "/anon/x", "/plain/x", "/rec/x" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _stack.Tokens.Valid());
            foreach (var name in new[] { "X-Gateway-Assertion", "x-gateway-assertion", "X_Gateway_Assertion", "X.Gateway.Assertion" })
            {
                request.Headers.TryAddWithoutValidation(name, forged);
            }

            using var response = await Gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(5, _stack.Recorder.Requests.Count);
        Assert.All(_stack.Recorder.Requests, r => Assert.DoesNotContain(r.Headers, h => h.Value.Any(v => v.Contains(forged, StringComparison.Ordinal))));
        Assert.Single(_stack.Recorder.Requests[^1].Header("X-Gateway-Assertion"));
    }

    private async Task<string> RecordedAssertionAsync(string path, string? token = null)
    {
        var before = _stack.Recorder.Requests.Count;
        using var response = await SendAsync(Gateway.Client, HttpMethod.Get, path, token ?? _stack.Tokens.Valid());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(_stack.Recorder.Requests[before].Header("X-Gateway-Assertion"));
    }

    private async Task<HttpStatusCode> DirectStatusAsync(HttpMethod method, string path, string assertion)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("X-Gateway-Assertion", assertion);
        using var response = await _stack.Backend.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static JsonObject Claims(string jwt) => JsonNode.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]))!.AsObject();

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }
}
