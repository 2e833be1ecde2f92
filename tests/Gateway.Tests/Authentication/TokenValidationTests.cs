using System.Net;
using System.Text.Json;
using WamsGateway.Authentication;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authentication;

/// <summary>The bad-token list of docs/http-behaviour.md, over real sockets with real RS256 tokens: each one 401 and never proxied.</summary>
public sealed class TokenValidationTests : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _f;

    public TokenValidationTests(GatewayFixture fixture)
    {
        _f = fixture;
    }

    public static TheoryData<string> BadTokens() =>
    [
        "expired", "not_yet_valid", "wrong_issuer", "wrong_audience", "alg_none", "public_key_as_hmac_secret",
        "tampered_payload", "unknown_key_known_kid", "unknown_kid", "garbage", "no_exp", "alg_not_allowed",
        "no_signature_rs256", "crit_header", "two_issuers",
    ];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Gateway_BadToken_Answers401InvalidTokenAndNeverProxies(string kind)
    {
        var before = _f.Backend.Requests.Count;
        var token = Make(kind);

        using var response = await _f.SendAsync("/none/items", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.StartsWith("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
        Assert.DoesNotContain(token, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, _f.Backend.Requests.Count);
    }

    [Fact]
    public async Task Gateway_WrongAudience_SaysSo_NotNull()
    {
        using var response = await _f.SendAsync("/none/items", Make("wrong_audience"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate).Parameter!;
        Assert.Contains("error_description=\"" + GatewayJwtBearerEvents.InvalidAudienceDescription + "\"", challenge, StringComparison.Ordinal);
        Assert.DoesNotContain("null", challenge, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dXNlcjpwYXNzd29yZA==")]
    [InlineData("Bearer ")]
    [InlineData("Token abc.def.ghi")]
    public async Task Gateway_NoBearerToken_Answers401WithBareChallenge(string? authorization)
    {
        var before = _f.Backend.Requests.Count;

        using var response = await _f.SendAsync("/none/items", null, r =>
        {
            if (authorization is not null)
            {
                r.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        await ProblemAssert.IsProblemAsync(response, "missing_token");
        Assert.Equal(before, _f.Backend.Requests.Count);
    }

    [Fact]
    public async Task Gateway_ValidToken_IsProxied()
    {
        using var response = await _f.SendAsync("/none/items?x=1", _f.Tokens.Valid());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(_f.Backend.Requests, r => r.PathAndQuery == "/none/items?x=1");
    }

    [Fact]
    public async Task Gateway_TokenForSecondAudience_IsAccepted()
    {
        var claims = _f.Tokens.Claims();
        claims["aud"] = "client-a";

        using var response = await _f.SendAsync("/none/id-token", _f.Tokens.Sign(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Gateway_TokenExpiredWithinClockSkew_IsAccepted()
    {
        var claims = _f.Tokens.Claims();
        claims["exp"] = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeSeconds();
        claims["iat"] = claims["nbf"] = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();

        using var response = await _f.SendAsync("/none/skew", _f.Tokens.Sign(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Gateway_IssuerWithoutTheAuthoritysTrailingSlash_IsTheSameAuthority()
    {
        var claims = _f.Tokens.Claims();
        claims["iss"] = _f.Authority.Issuer.TrimEnd('/');

        using var response = await _f.SendAsync("/none/items", _f.Tokens.Sign(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private string Make(string kind)
    {
        var t = _f.Tokens;
        var claims = t.Claims();
        var now = DateTimeOffset.UtcNow;
        switch (kind)
        {
            case "expired":
                claims["exp"] = now.AddMinutes(-5).ToUnixTimeSeconds();
                claims["iat"] = claims["nbf"] = now.AddHours(-1).ToUnixTimeSeconds();
                return t.Sign(claims);
            case "not_yet_valid":
                claims["nbf"] = now.AddMinutes(5).ToUnixTimeSeconds();
                return t.Sign(claims);
            case "wrong_issuer":
                claims["iss"] = "https://evil.example.com/";
                return t.Sign(claims);
            case "wrong_audience":
                claims["aud"] = "https://other-api.example.com";
                return t.Sign(claims);
            case "alg_none":
                return Support.TokenFactory.WithoutSignature(claims);
            case "public_key_as_hmac_secret":
                return t.SignHmac(claims, t.PublicKeyPem());
            case "tampered_payload":
                var good = t.Sign(claims);
                claims["sub"] = "auth0|mallory";
                return Support.TokenFactory.Tamper(good, claims);
            case "unknown_key_known_kid":
                return t.Sign(claims, TestAuthority.NewKey(), kid: _f.Authority.Active.KeyId);
            case "unknown_kid":
                return t.Sign(claims, TestAuthority.NewKey("kid-nobody-published"));
            case "garbage":
                return "this-is-not-a-jwt";
            case "no_exp":
                claims.Remove("exp");
                return t.Sign(claims);
            case "alg_not_allowed":
                return t.Sign(claims, alg: "RS384");
            case "no_signature_rs256":
                var signed = t.Sign(claims);
                return signed[..(signed.LastIndexOf('.') + 1)];
            case "crit_header":
                // RFC 7515 section 4.1.11: an extension the recipient does not understand makes the token invalid.
                return t.Sign(claims, header: new Dictionary<string, object?> { ["crit"] = new[] { "urn:example:ext" }, ["urn:example:ext"] = 1 });
            case "two_issuers":
                // Which one a parser takes is its own choice; such a token names no authority.
                var json = JsonSerializer.Serialize(claims);
                return t.SignRaw("{\"iss\":\"https://evil.example.com/\"," + json[1..]);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}
