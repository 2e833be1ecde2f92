using System.Net;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authentication;

/// <summary>The authority rotates its keys; the gateway follows without a restart and without hammering the JWKS.</summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private readonly GatewayFixture _f = new();

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task Rotation_TokenSignedWithNewKey_IsAcceptedOnFirstRequest()
    {
        using (var warm = await _f.SendAsync("/none/warm", _f.Tokens.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var readsBefore = _f.Authority.JwksReads;
        _f.Authority.Rotate();

        using var response = await _f.SendAsync("/none/rotated", _f.Tokens.Valid());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(readsBefore + 1, _f.Authority.JwksReads);

        using var again = await _f.SendAsync("/none/rotated-again", _f.Tokens.Valid());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(readsBefore + 1, _f.Authority.JwksReads);
    }

    [Fact]
    public async Task UnknownKid_RefreshesKeysOnceThenRateLimits()
    {
        using (var warm = await _f.SendAsync("/none/warm", _f.Tokens.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var readsBefore = _f.Authority.JwksReads;
        var stranger = TestAuthority.NewKey("kid-made-up");

        for (var i = 0; i < 5; i++)
        {
            using var response = await _f.SendAsync("/none/unknown", _f.Tokens.Sign(_f.Tokens.Claims(), stranger));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(readsBefore + 1, _f.Authority.JwksReads);
        Assert.DoesNotContain(_f.Backend.Requests, r => r.PathAndQuery.StartsWith("/none/unknown", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rotation_OldKeyStillPublished_KeepsValidating()
    {
        var oldToken = _f.Tokens.Valid();
        _f.Authority.Rotate();

        using var response = await _f.SendAsync("/none/old", oldToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
