using System.Net;
using System.Text.Json.Nodes;
using WamsGateway.Configuration;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Forwarding;

/// <summary>
/// On every route kind, no inbound copy of a credential header the gateway
/// manages reaches the backend, in any case and with <c>_</c> for <c>-</c>; the gateway's own values still do.
/// </summary>
public sealed class CredentialHeaderTests : IClassFixture<CredentialHeaderTests.StripFixture>
{
    private const string Configured = "X-Legacy-Token";

    private readonly StripFixture _f;

    public CredentialHeaderTests(StripFixture fixture)
    {
        _f = fixture;
    }

    public static TheoryData<string> Routes() =>
    [
        "anon", "plain", "none", "pass", "orders", "app-delegated", "wams-minted-recorded", "aws-recorded",
    ];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Forward_ForgedCredentialHeaders_NoneReachTheBackend(string route)
    {
        var (accessToken, idToken) = await _f.SignInAsync("alice");
        var token = route switch
        {
            "anon" => null,
            "app-delegated" or "wams-minted-recorded" => idToken,
            _ => accessToken,
        };
        var forged = "forged-" + Guid.NewGuid().ToString("N");
        string[] names =
        [
            "X-ZUMO-AUTH", "X_ZUMO_AUTH", "x_zumo_auth", "x-amz-security-token", "X_AMZ_SECURITY_TOKEN", "X-Amz-Date", "x-amz-content-sha256",
            "X-User-Id", "X_User_Id", "x_client_id", Configured, "X_Legacy_Token", "x_legacy_token",
            // Separators some CGI-style servers also map to one variable name.
            "X.ZUMO.AUTH", "X+ZUMO+AUTH", "x.amz.security.token", "X~User~Id",
            // Other spellings of the forwarding headers YARP sets.
            "X_Forwarded_For", "X.Forwarded.Host", "x_forwarded_proto", "X_Forwarded_Prefix",
        ];
        var marker = Guid.NewGuid().ToString("N");

        using var response = await DelegationFixture.SendAsync(_f.Gateway, HttpMethod.Get, $"/{route}/items?m={marker}", token ?? "", configure: r =>
        {
            if (token is null)
            {
                r.Headers.Authorization = null;
            }

            foreach (var name in names)
            {
                Assert.True(r.Headers.TryAddWithoutValidation(name, forged));
            }
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_f.Recorder.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal));
        Assert.DoesNotContain(received.Headers, h => h.Value.Any(v => v.Contains(forged, StringComparison.Ordinal)));
        Assert.DoesNotContain(received.Headers.Keys, k => k.Any(c => c is '_' or '.' or '+' or '~'));
        Assert.Empty(received.Header(Configured));

        // The gateway's own values are still set where they belong.
        Assert.Equal(route == "anon" ? [] : ["auth0|alice"], received.Header("X-User-Id"));
        switch (route)
        {
            case "pass":
                Assert.Equal([$"Bearer {token}"], received.Header("Authorization"));
                break;
            case "orders" or "app-delegated":
                var authorization = Assert.Single(received.Header("Authorization"));
                Assert.StartsWith("Bearer ey", authorization, StringComparison.Ordinal);
                Assert.NotEqual($"Bearer {token}", authorization);
                break;
            case "wams-minted-recorded":
                Assert.StartsWith("ey", Assert.Single(received.Header("X-ZUMO-AUTH")), StringComparison.Ordinal);
                Assert.Empty(received.Header("Authorization"));
                break;
            case "aws-recorded":
                Assert.StartsWith("AWS4-HMAC-SHA256 ", Assert.Single(received.Header("Authorization")), StringComparison.Ordinal);
                Assert.Single(received.Header("X-Amz-Security-Token"));
                Assert.Single(received.Header("X-Amz-Date"));
                break;
            default:
                Assert.Empty(received.Header("Authorization"));
                break;
        }

        if (route is not "wams-minted-recorded")
        {
            Assert.Empty(received.Header("X-ZUMO-AUTH"));
        }

        if (route is not "aws-recorded")
        {
            Assert.Empty(received.Header("X-Amz-Security-Token"));
            Assert.Empty(received.Header("X-Amz-Date"));
        }

        // YARP's own forwarding headers are still there, under their exact names.
        Assert.Equal(["127.0.0.1"], received.Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task Recorder_SeesUnderscoreHeaderNames()
    {
        // Without this the assertions above could pass because the backend dropped the names itself.
        var marker = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_f.Recorder.Address, $"direct?m={marker}"));
        request.Headers.TryAddWithoutValidation("X_ZUMO_AUTH", "seen");
        request.Headers.TryAddWithoutValidation("x_user_id", "seen");
        using var client = new HttpClient();

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_f.Recorder.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal));
        Assert.Equal(["seen"], received.Header("X_ZUMO_AUTH"));
        Assert.Equal(["seen"], received.Header("x_user_id"));
    }

    [Theory]
    [InlineData("X Legacy", "is not a valid HTTP header name")]
    [InlineData("", "is not a valid HTTP header name")]
    [InlineData("X-Tök", "is not a valid HTTP header name")]
    [InlineData("Content-Length", "frames the request itself")]
    [InlineData("authorization", "Authorization is handled already")]
    public void Build_BadStripHeader_IsRefusedNamingTheKey(string header, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", new Uri("http://127.0.0.1:9/"));
        config["Gateway"]!["StripHeaders"] = new JsonArray("X-Fine", header);

        var ex = Assert.Throws<GatewayConfigurationException>(() =>
            GatewayApp.Build([$"--contentRoot={TempDirectory.Create("config")}", "--hostBuilder:reloadConfigOnChange=false", $"--config={GatewayConfig.Write(config)}"]));

        var problem = Assert.Single(ex.Problems);
        Assert.StartsWith("Gateway:StripHeaders:1: ", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    /// <summary>The delegation fixture (its /wams-minted-recorded route included) with one configured strip header.</summary>
    public sealed class StripFixture : DelegationFixture
    {
        public StripFixture()
        {
            Customize = config => config["Gateway"]!["StripHeaders"] = new JsonArray(Configured);
        }
    }
}
