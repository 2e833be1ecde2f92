using System.Net;
using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authentication;

/// <summary>Audiences compare exactly (RFC 7519 section 4.1.3): no trailing-slash or case leniency.</summary>
public sealed class AudienceMatchTests : IClassFixture<AudienceMatchTests.AudienceFixture>
{
    private readonly GatewayFixture _f;

    public AudienceMatchTests(AudienceFixture fixture)
    {
        _f = fixture.Gateway;
    }

    [Theory]
    [InlineData("https://orders.local/")] // configured without the slash
    [InlineData("https://slash.local")] // configured with it
    [InlineData("https://ORDERS.local")]
    [InlineData("https://Slash.local/")]
    public async Task Gateway_AudienceDifferingFromConfigured_Answers401InvalidToken(string audience)
    {
        var before = _f.Backend.Requests.Count;
        var claims = _f.Tokens.Claims();
        claims["aud"] = audience;

        using var response = await _f.SendAsync("/none/aud", _f.Tokens.Sign(claims));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
        Assert.Equal(before, _f.Backend.Requests.Count);
    }

    [Fact]
    public async Task Gateway_AudienceArrayWithOnlyNearMisses_Answers401()
    {
        var claims = _f.Tokens.Claims();
        claims["aud"] = new[] { "https://orders.local/", "https://slash.local", "https://api.test/" };

        using var response = await _f.SendAsync("/none/aud", _f.Tokens.Sign(claims));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
    }

    [Theory]
    [InlineData("https://orders.local")]
    [InlineData("https://slash.local/")]
    public async Task Gateway_AudienceExactlyAsConfigured_IsProxied(string audience)
    {
        var claims = _f.Tokens.Claims();
        claims["aud"] = audience;

        using var response = await _f.SendAsync("/none/aud", _f.Tokens.Sign(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A gateway whose audiences are one URL without a trailing slash and one with.</summary>
    public sealed class AudienceFixture : IAsyncLifetime
    {
        public GatewayFixture Gateway { get; } = new()
        {
            Customize = config => config["Gateway"]!["Authentication"]!["Audiences"] = new JsonArray("https://orders.local", "https://slash.local/"),
        };

        public Task InitializeAsync() => Gateway.InitializeAsync();

        public Task DisposeAsync() => Gateway.DisposeAsync();
    }
}
