using System.Net;
using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Dashboard;

/// <summary>
/// The dashboard and the state it reads, on the management listener only: routes, APIs with their kinds, authorities,
/// Redis and the configuration's state, and never a secret, only whether it is set.
/// </summary>
public sealed class DashboardStateTests : IAsyncLifetime
{
    private const string ClientSecret = DashboardGateway.ClientSecret;
    private const string MasterKey = DashboardGateway.MasterKey;

    private readonly GatewayFixture _f = DashboardGateway.Fixture();

    private HttpClient _management = null!;

    public async Task InitializeAsync()
    {
        await _f.InitializeAsync();
        _management = new HttpClient { BaseAddress = DashboardGateway.ManagementAddress(_f) };
    }

    public async Task DisposeAsync()
    {
        _management.Dispose();
        await _f.DisposeAsync();
    }

    [Fact]
    public async Task State_ShowsRoutesApisAuthoritiesAndConfiguration_AndNoSecret()
    {
        // Requests to count (and the authority's keys in hand): one served, one exchange that fails, one bad token.
        using (var first = await _f.SendAsync("/none/x", _f.Tokens.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var failed = await _f.SendAsync("/exchanged/x", _f.Tokens.Valid()))
        {
            Assert.NotEqual(HttpStatusCode.OK, failed.StatusCode);
        }

        using (var refused = await _f.SendAsync("/none/x", "not-a-token"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var response = await _management.GetAsync("/dashboard/api/state");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var state = JsonNode.Parse(text)!;
        var route = Assert.Single(state["routes"]!.AsArray(), r => (string?)r!["id"] == "exchanged")!;
        Assert.Equal("/exchanged/{**rest}", (string?)route["match"]!["path"]);
        Assert.Equal("exchanged", (string?)route["api"]);
        Assert.Equal(_f.Backend.Address.AbsoluteUri, (string?)route["destinations"]![0]);

        var exchanged = Assert.Single(state["apis"]!.AsArray(), a => (string?)a!["name"] == "exchanged")!;
        Assert.Equal("TokenExchange", (string?)exchanged["exchange"]);
        Assert.Equal("client-a", (string?)exchanged["allowedClients"]![0]);
        Assert.Equal("gateway", (string?)exchanged["settings"]!["ClientId"]);
        Assert.True((bool)exchanged["settings"]!["ClientSecret"]!["set"]!);
        // Named after a token, not as one: shown.
        Assert.Equal("http://127.0.0.1:9/oauth/token", (string?)exchanged["settings"]!["TokenEndpoint"]);
        Assert.Equal("exchanged", (string?)exchanged["routes"]![0]);
        var minted = Assert.Single(state["apis"]!.AsArray(), a => (string?)a!["name"] == "minted")!;
        Assert.Equal("WamsMint", (string?)minted["exchange"]);
        Assert.True((bool)minted["settings"]!["MasterKey"]!["set"]!);

        var authority = Assert.Single(state["authorities"]!.AsArray())!;
        Assert.Equal("default", (string?)authority["name"]);
        Assert.Equal(_f.Authority.Issuer, (string?)authority["issuer"]);
        Assert.Contains(_f.Authority.Active.KeyId, authority["keyIds"]!.AsArray().Select(k => (string?)k));
        Assert.False((bool)state["redis"]!["configured"]!);
        Assert.False((bool)state["configuration"]!["reloadRefused"]!);

        var none = Assert.Single(state["routes"]!.AsArray(), r => (string?)r!["id"] == "none")!;
        Assert.True((long)none["requests"]!["2xx"]! >= 1);
        Assert.True((long)none["requests"]!["4xx"]! >= 1);
        Assert.True((long)exchanged["exchanges"]!["error"]! >= 1);
        Assert.True((long)state["counts"]!["authFailures"]!["malformed"]! >= 1);

        Assert.DoesNotContain(ClientSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(MasterKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardGateway.AddressPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardGateway.QuerySecret, text, StringComparison.Ordinal);
        var delegated = Assert.Single(state["apis"]!.AsArray(), a => (string?)a!["name"] == "delegated")!;
        Assert.Equal("http://***@127.0.0.1:9/delegation?***", (string?)delegated["settings"]!["Endpoint"]);
        var withCredentials = Assert.Single(state["routes"]!.AsArray(), r => (string?)r!["id"] == "with-credentials")!;
        Assert.Equal("http://***@127.0.0.1:9/", (string?)withCredentials["destinations"]![0]);
    }

    [Theory]
    [InlineData("/dashboard/", "text/html")]
    [InlineData("/dashboard/app.js", "text/javascript")]
    [InlineData("/dashboard/app.css", "text/css")]
    public async Task Page_IsServedFromTheAssembly_UnderAStrictContentSecurityPolicy(string path, string contentType)
    {
        using var response = await _management.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("default-src 'self'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", body, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheSlash_RedirectsToThePage()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _management.BaseAddress };

        using var response = await client.GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/dashboard/", "GET")]
    [InlineData("/dashboard/api/state", "GET")]
    [InlineData("/dashboard/api/state", "POST")]
    [InlineData("/dashboard/app.js", "DELETE")]
    [InlineData("/metrics", "PUT")]
    public async Task ProxyPort_NeverServesTheDashboard_AsIfItDidNotExist(string path, string method)
    {
        // With a valid token, past authentication: the proxy listener has no such path (404), for any method (not 405).
        using var response = await _f.SendAsync(path, _f.Tokens.Valid(), request => request.Method = new HttpMethod(method));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("\"apis\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
