using System.Globalization;
using System.Net;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authentication;

/// <summary>
/// Tokens the authority really signed, with dates no clock can hold or text no
/// header can carry. None may give a 500: out-of-range dates are invalid tokens, and every header
/// value built from token content is sanitised.
/// </summary>
public sealed class HostileTokenTests : IClassFixture<HostileTokenFixture>
{
    private readonly HostileTokenFixture _f;

    public HostileTokenTests(HostileTokenFixture fixture)
    {
        _f = fixture;
    }

    public static TheoryData<string, string, string> OutOfRangeDates()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var route in new[] { "none", "wams-minted-recorded", "orders" })
        {
            data.Add(route, "exp", "99999999999999");
            data.Add(route, "exp", "1e300");
            data.Add(route, "exp", "9223372036854775808");
            data.Add(route, "iat", "99999999999999");
        }

        data.Add("wams-minted-recorded", "exp", "253402300800");
        data.Add("none", "exp", "\"99999999999999\"");
        data.Add("none", "exp", "[4102444800, 4102444800]");
        data.Add("none", "iat", "-1");
        data.Add("none", "iat", "true");
        data.Add("none", "nbf", "-99999999999999");
        data.Add("aws-recorded", "nbf", "{}");

        // In range, but a JSON string: RFC 7519 makes a NumericDate a number, and parsers differ on strings.
        var inAnHour = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600).ToString(CultureInfo.InvariantCulture);
        data.Add("none", "exp", $"\"{inAnHour}\"");
        data.Add("orders", "exp", $"\"{inAnHour}\"");
        data.Add("none", "iat", "\"1\"");
        return data;
    }

    [Theory]
    [MemberData(nameof(OutOfRangeDates))]
    public async Task Gateway_DateOutOfRange_Answers401InvalidTokenAndNeverProxies(string route, string claim, string json)
    {
        var before = _f.Recorder.Requests.Count;
        var token = _f.Tokens.SignRaw(Payload(claim, json));

        using var response = await SendAsync(route, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.StartsWith("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
        Assert.Equal(before, _f.Recorder.Requests.Count);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("wams-minted-recorded")]
    [InlineData("orders")]
    public async Task Gateway_FractionalExp_IsAValidNumericDate(string route)
    {
        // RFC 7519 section 2: a NumericDate may be non-integer.
        var exp = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600).ToString(CultureInfo.InvariantCulture) + ".25";

        using var response = await SendAsync(route, _f.Tokens.SignRaw(Payload("exp", exp)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("none", "sub", "\"auth0|mallory\"")]
    [InlineData("none", "azp", "\"admin-console\"")]
    [InlineData("wams-minted-recorded", "email", "\"boss@example.com\"")]
    [InlineData("wams-minted-recorded", "aud", "\"todo-desktop\"")]
    [InlineData("orders", "s\\u0075b", "\"auth0|mallory\"")]
    [InlineData("none", "exp", "4102444800")]
    [InlineData("none", "act", "{\"sub\":\"svc-a\",\"sub\":\"svc-b\"}")]
    [InlineData("none", "https://example.com/org", "[{\"role\":\"user\",\"r\\u006fle\":\"admin\"}]")]
    public async Task Gateway_ClaimNamedTwice_Answers401AndNeverProxies(string route, string member, string json)
    {
        // A backend whose parser keeps the first member would see another user than the gateway checked.
        var before = _f.Recorder.Requests.Count;
        var payload = Payload("sub", "\"auth0|alice\"");
        var token = _f.Tokens.SignRaw(payload[..^1] + $",\"{member}\":{json}}}");

        using var response = await SendAsync(route, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("names a claim or a header parameter more than once", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
        Assert.Equal(before, _f.Recorder.Requests.Count);
    }

    [Theory]
    [InlineData("{{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"{0}\"}}")]
    [InlineData("{{\"alg\":\"RS256\",\"kid\":\"{0}\",\"kid\":\"{0}\"}}")]
    [InlineData("{{\"alg\":\"RS256\",\"kid\":\"{0}\",\"jwk\":{{\"kty\":\"RSA\",\"kty\":\"oct\"}}}}")]
    public async Task Gateway_HeaderParameterNamedTwice_Answers401AndNeverProxies(string headerFormat)
    {
        // The signature is good: only the header's shape is wrong, and parsers disagree on which member counts.
        var before = _f.Recorder.Requests.Count;
        var header = string.Format(System.Globalization.CultureInfo.InvariantCulture, headerFormat, _f.Tokens.KeyId);
        var token = _f.Tokens.SignRaw(Payload("sub", "\"auth0|alice\""), header);

        using var response = await SendAsync("none", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("header parameter more than once", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        Assert.Equal(before, _f.Recorder.Requests.Count);
    }

    public static TheoryData<string> HostileIssuers() =>
    [
        "https://evil.example/\r\nX-Injected: yes",
        "https://\u00e9vil.example/",
        "https://evil.example/\u202e\u0000",
        "https://evil.example/\"quoted\"\\back\\slash",
        "https://evil.example/" + new string('a', 5000),
    ];

    [Theory]
    [MemberData(nameof(HostileIssuers))]
    public async Task Gateway_HostileIssuer_Answers401WithAPrintableAsciiChallenge(string issuer)
    {
        var token = _f.Tokens.SignRaw(Payload("iss", JsonString(issuer)));

        using var response = await SendAsync("none", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
        var challenge = Assert.Single(response.Headers.GetValues("WWW-Authenticate"));
        AssertSafeChallenge(challenge);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("X-Injected", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("\"https://api.test/\u00e9\\r\\n\"")]
    [InlineData("[\"\\\"\\\\\", \"\u05d0\u202e\"]")]
    public async Task Gateway_HostileAudience_Answers401WithAPrintableAsciiChallenge(string audienceJson)
    {
        using var response = await SendAsync("none", _f.Tokens.SignRaw(Payload("aud", audienceJson)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
        AssertSafeChallenge(Assert.Single(response.Headers.GetValues("WWW-Authenticate")));
    }

    [Theory]
    [InlineData("\"auth0|\\ud800lone\"")]
    [InlineData("\"auth0|\u202e\u0000\\r\\nX-Admin: 1\"")]
    [InlineData("\"auth0|\\udc00\\ud800\"")]
    public async Task Gateway_HostileSubject_NeverGivesA5xxNorAnUnsafeHeader(string subJson)
    {
        foreach (var route in HostileTokenFixture.PlainRoutes.Concat(HostileTokenFixture.ExchangeRoutes))
        {
            var marker = Guid.NewGuid().ToString("N");
            using var response = await SendAsync(route, _f.Tokens.SignRaw(Payload("sub", subJson)), marker);

            Assert.True((int)response.StatusCode < 500, $"{route}: {(int)response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var received = Assert.Single(_f.Recorder.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal));
                Assert.All(received.Headers.SelectMany(h => h.Value), v => Assert.True(v.All(c => c is >= ' ' and <= '~'), v));
            }
        }
    }

    private static void AssertSafeChallenge(string challenge)
    {
        Assert.StartsWith("Bearer error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.All(challenge, c => Assert.True(c is >= ' ' and <= '~', $"U+{(int)c:X4} in the challenge"));
        Assert.True(challenge.Length <= 400, $"challenge of {challenge.Length} characters");
        // error_description="..." is the last parameter and has no quote or backslash inside.
        var description = challenge[(challenge.IndexOf("error_description=\"", StringComparison.Ordinal) + "error_description=\"".Length)..];
        Assert.EndsWith("\"", description, StringComparison.Ordinal);
        Assert.DoesNotContain('"', description[..^1]);
        Assert.DoesNotContain('\\', description);
    }

    private Task<HttpResponseMessage> SendAsync(string route, string token, string? marker = null) =>
        _f.SendAsync(HttpMethod.Get, $"/{route}/hostile?m={marker ?? Guid.NewGuid().ToString("N")}", token);

    /// <summary>A good ID token's payload (audience the client todo-mobile, so every exchange kind takes it) with one member's JSON replaced.</summary>
    private string Payload(string claim, string json)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var members = new Dictionary<string, string>
        {
            ["iss"] = JsonString(_f.Issuer),
            ["sub"] = "\"auth0|alice\"",
            ["aud"] = "\"todo-mobile\"",
            ["azp"] = "\"todo-mobile\"",
            ["email"] = "\"alice@example.com\"",
            ["iat"] = now.ToString(CultureInfo.InvariantCulture),
            ["nbf"] = now.ToString(CultureInfo.InvariantCulture),
            ["exp"] = (now + 3600).ToString(CultureInfo.InvariantCulture),
        };
        members[claim] = json;
        return "{" + string.Join(",", members.Select(m => $"\"{m.Key}\":{m.Value}")) + "}";
    }

    private static string JsonString(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}

/// <summary>A token accepted only after a key refresh goes through the same date checks.</summary>
public sealed class HostileTokenAfterKeyRotationTests : IAsyncLifetime
{
    private readonly GatewayFixture _f = new();

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task Rotation_TokenWithNewKeyAndAbsurdExp_Answers401()
    {
        using (var warm = await _f.SendAsync("/none/warm", _f.Tokens.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var readsBefore = _f.Authority.JwksReads;
        _f.Authority.Rotate();
        var claims = _f.Tokens.Claims();
        claims["exp"] = 99999999999999L;

        using var response = await _f.SendAsync("/none/rotated", _f.Tokens.Sign(claims));

        Assert.Equal(readsBefore + 1, _f.Authority.JwksReads);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("exp, nbf or iat", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");

        using var good = await _f.SendAsync("/none/rotated-good", _f.Tokens.Valid());
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }
}
