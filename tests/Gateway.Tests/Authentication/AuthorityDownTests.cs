using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using WamsGateway.Authentication;
using WamsGateway.Configuration;
using WamsGateway.Health;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authentication;

/// <summary>
/// Two authorities, the second ("eu", given at <c>Gateway:Authorities</c> as the contract's example does) down from
/// the start: the default authority's users are served, eu's get 503, and readiness stays up, naming eu.
/// </summary>
public sealed class AuthorityDownTests : IClassFixture<AuthorityDownTests.Fixture>
{
    private readonly Fixture _f;

    public AuthorityDownTests(Fixture fixture) => _f = fixture;

    [Fact]
    public async Task TheOtherAuthoritysUsers_AreServed_AndTheDownOnesGet503()
    {
        using var served = await _f.Gateway.SendAsync("/none/x", _f.Gateway.Tokens.Valid());
        using var down = await _f.Gateway.SendAsync("/none/x", _f.Eu.Tokens(GatewayConfig.Audience).Valid());

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        await ProblemAssert.IsProblemAsync(down, "authority_unavailable");
        Assert.NotNull(down.Headers.RetryAfter);
    }

    [Fact]
    public async Task Readiness_IsDegraded_NamingTheAuthorityThatIsDown()
    {
        // The default authority's keys in hand first (a request reads them), as they are once the gateway has warmed up.
        using var served = await _f.Gateway.SendAsync("/none/x", _f.Gateway.Tokens.Valid());
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);

        using var response = await _f.Gateway.Gateway.Client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("authority").GetProperty("status").GetString());
        var eu = checks.GetProperty("authority:eu");
        Assert.Equal("Degraded", eu.GetProperty("status").GetString());
        Assert.Contains("Authority 'eu'", eu.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenNamingTheDefaultIssuer_SignedWithAnotherAuthoritysKey_Is401()
    {
        var forged = new TokenFactory(_f.Gateway.Authority.Issuer, GatewayConfig.Audience, _f.Eu.Active).Valid();

        using var response = await _f.Gateway.SendAsync("/none/x", forged);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "invalid_token");
    }

    [Fact]
    public async Task AnAuthorityNeverRead_IsUnhealthy_OnlyWhenNoOtherServes()
    {
        await using var down = await TestAuthority.StartAsync();
        down.Down = true;
        using var metadata = new AuthorityMetadata(new PlainClients(), new AuthenticationSettings { Authority = down.Issuer, RequireHttpsMetadata = false },
            TimeProvider.System, NullLogger<AuthorityMetadata>.Instance, "eu");

        var alone = await new AuthorityHealthCheck("eu", metadata, () => false).CheckHealthAsync(new HealthCheckContext());
        var beside = await new AuthorityHealthCheck("eu", metadata, () => true).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, alone.Status);
        Assert.Equal(HealthStatus.Degraded, beside.Status);
        Assert.Contains("Authority 'eu'", beside.Description, StringComparison.Ordinal);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public TestAuthority Eu { get; private set; } = null!;

        public GatewayFixture Gateway { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Eu = await TestAuthority.StartAsync();
            Eu.Down = true;
            Gateway = new GatewayFixture
            {
                Customize = config => config["Gateway"]!["Authorities"] = new JsonObject
                {
                    ["eu"] = new JsonObject
                    {
                        ["Authority"] = Eu.Issuer,
                        ["Audiences"] = new JsonArray(GatewayConfig.Audience),
                        ["RequireHttpsMetadata"] = false,
                    },
                },
            };
            await Gateway.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Eu.DisposeAsync();
        }
    }

    private sealed class PlainClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }
}
