using System.Net;
using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Errors;

/// <summary>The gateway's own errors are problem+json with a traceId; a backend's answers pass through as they are.</summary>
public sealed class ErrorResponseTests : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _f;

    public ErrorResponseTests(GatewayFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task UnknownPath_WithToken_Is404Problem()
    {
        using var response = await _f.SendAsync("/no-such-route", _f.Tokens.Valid());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"traceId\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPath_WithoutToken_Is401()
    {
        using var response = await _f.SendAsync("/no-such-route", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task BackendStatusWithEmptyBody_PassesThroughUntouched(int status)
    {
        using var response = await _f.SendAsync($"/none/status/{status}", _f.Tokens.Valid());

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.NotEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task BackendUnreachable_Is502Problem()
    {
        await using var gateway = new GatewayFixture
        {
            Customize = config => config["ReverseProxy"]!["Clusters"]!["backend"]!["Destinations"]!["d1"]!["Address"] = $"http://127.0.0.1:{LoopbackPort.Closed()}/",
        };
        await gateway.InitializeAsync();

        using var response = await gateway.SendAsync("/none/x", gateway.Tokens.Valid());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"traceId\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer e30.e30.e30")]
    [InlineData("Bearer ...")]
    [InlineData("Bearer eyJhbGciOiJSUzI1NiJ9.%%%.###")]
    [InlineData("Bearer a.b")]
    public async Task OddAuthorizationValues_Are401NeverServerErrors(string authorization)
    {
        using var response = await _f.SendAsync("/none/odd", null, r => r.Headers.TryAddWithoutValidation("Authorization", authorization));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
    }

    [Fact]
    public async Task HugeToken_IsRefusedWithoutServerError()
    {
        using var response = await _f.SendAsync("/none/huge", new string('a', 20_000) + ".b.c");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
