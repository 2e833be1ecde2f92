using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SampleBackend.Zumo;

namespace SampleBackend.Tests.Zumo;

public sealed class ZumoTokenValidatorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T12:00:00Z", CultureInfo.InvariantCulture);
    private readonly ZumoTokenValidator _validator = new(
        Options.Create(new SampleBackendOptions { MasterKey = ZumoTokens.MasterKey }), new FakeTimeProvider(Now));

    [Fact]
    public void Validate_AddOnShapedToken_GivesUidAsUserId()
    {
        var result = _validator.Validate(ZumoTokens.Mint(ZumoTokens.Claims("auth0|5441abc", Now)));

        Assert.Null(result.Error);
        Assert.Equal("auth0|5441abc", result.User!.UserId);
    }

    [Fact]
    public void Validate_FractionalExpAndNoTyp_IsAccepted()
    {
        var claims = ZumoTokens.Claims("auth0|a", Now);
        claims["exp"] = Now.ToUnixTimeSeconds() + 10.5;
        var header = new Dictionary<string, object> { ["alg"] = "HS256" };

        Assert.Null(_validator.Validate(ZumoTokens.Mint(claims, header: header)).Error);
    }

    [Fact]
    public void Validate_IatWithinFiveMinutesAhead_IsAccepted()
    {
        var claims = ZumoTokens.Claims("auth0|a", Now);
        claims["iat"] = Now.AddMinutes(4).ToUnixTimeSeconds();
        claims["nbf"] = Now.AddMinutes(4).ToUnixTimeSeconds();

        Assert.Null(_validator.Validate(ZumoTokens.Mint(claims)).Error);
    }

    [Theory]
    [InlineData("missing", "missing_token")]
    [InlineData("garbage", "malformed")]
    [InlineData("other_master_key", "invalid_signature")]
    [InlineData("raw_base64_key", "invalid_signature")]
    [InlineData("expired", "expired")]
    [InlineData("no_exp", "missing_exp")]
    [InlineData("iat_far_future", "not_yet_valid")]
    [InlineData("nbf_far_future", "not_yet_valid")]
    [InlineData("alg_none", "invalid_algorithm")]
    [InlineData("alg_hs512", "invalid_algorithm")]
    [InlineData("typ_not_jwt", "invalid_type")]
    [InlineData("no_uid", "missing_uid")]
    [InlineData("tampered", "invalid_signature")]
    public void Validate_BadToken_FailsWithReason(string kind, string expected)
    {
        var claims = ZumoTokens.Claims("auth0|a", Now);
        string? token = kind switch
        {
            "missing" => null,
            "garbage" => "not-a-token",
            "other_master_key" => ZumoTokens.Mint(claims, "another-master-key"),
            "raw_base64_key" => MintWithBase64Key(claims),
            "expired" => ZumoTokens.Mint(With(claims, "exp", Now.AddSeconds(-1).ToUnixTimeSeconds())),
            "no_exp" => ZumoTokens.Mint(Without(claims, "exp")),
            "iat_far_future" => ZumoTokens.Mint(With(claims, "iat", Now.AddMinutes(6).ToUnixTimeSeconds())),
            "nbf_far_future" => ZumoTokens.Mint(With(claims, "nbf", Now.AddMinutes(6).ToUnixTimeSeconds())),
            "alg_none" => ZumoTokens.Mint(claims, header: new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" }),
            "alg_hs512" => ZumoTokens.Mint(claims, header: new Dictionary<string, object> { ["alg"] = "HS512", ["typ"] = "JWT" }),
            "typ_not_jwt" => ZumoTokens.Mint(claims, header: new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "at+jwt" }),
            "no_uid" => ZumoTokens.Mint(Without(claims, "uid")),
            "tampered" => Tamper(ZumoTokens.Mint(claims)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var result = _validator.Validate(token);

        Assert.Null(result.User);
        Assert.Equal(expected, result.Error);
    }

    // Auth0's old docs showed the key as a base64 string; the runtime used the raw digest bytes.
    private static string MintWithBase64Key(Dictionary<string, object> claims)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ZumoTokens.MasterKey + "JWTSig"));
        var token = ZumoTokens.Mint(claims);
        var input = token[..token.LastIndexOf('.')];
        var key = System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(digest));
        var signature = System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.ASCII.GetBytes(input));
        return input + "." + Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var other = ZumoTokens.Mint(ZumoTokens.Claims("auth0|mallory", Now)).Split('.');
        return $"{parts[0]}.{other[1]}.{parts[2]}";
    }

    private static Dictionary<string, object> With(Dictionary<string, object> claims, string key, object value) => new(claims) { [key] = value };

    private static Dictionary<string, object> Without(Dictionary<string, object> claims, string key)
    {
        var copy = new Dictionary<string, object>(claims);
        copy.Remove(key);
        return copy;
    }
}
