using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.TrafficPolicy;

/// <summary>
/// YARP's own route policies naming the gateway's: a rate limit per user (counted after the token, before anything
/// else), a rate limit on exchanges only, CORS answered by the gateway, and a request timeout; over real sockets.
/// </summary>
public sealed class TrafficPolicyTests : IClassFixture<TrafficPolicyTests.Fixture>
{
    private const string Origin = "https://app.example.com";
    private readonly Fixture _f;

    public TrafficPolicyTests(Fixture fixture) => _f = fixture;

    [Fact]
    public async Task OverAUsersLimit_Is429WithRetryAfterAndRateLimitHeaders_AndIsNotForwarded()
    {
        var alice = _f.Gateway.Tokens.Valid("auth0|limited-alice");
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await _f.Gateway.SendAsync("/limited/x", alice);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        var forwarded = _f.Gateway.Backend.Requests.Count;
        using var refused = await _f.Gateway.SendAsync("/limited/x", alice);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        await ProblemAssert.IsProblemAsync(refused, "rate_limited");
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 600);
        Assert.Equal(["\"per-user\";q=3;w=600"], refused.Headers.GetValues("RateLimit-Policy"));
        Assert.StartsWith("\"per-user\";r=0;t=", Assert.Single(refused.Headers.GetValues("RateLimit")), StringComparison.Ordinal);
        Assert.Equal(forwarded, _f.Gateway.Backend.Requests.Count);

        var metrics = await _f.Gateway.Gateway.Client.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("wamsgateway_rate_limited_total{", StringComparison.Ordinal) && l.Contains("policy=\"per-user\"", StringComparison.Ordinal));

        // Another user has a partition of their own.
        using var bob = await _f.Gateway.SendAsync("/limited/x", _f.Gateway.Tokens.Valid("auth0|limited-bob"));
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
    }

    [Fact]
    public async Task AnInvalidToken_Is401_AndCostsTheUserNothing()
    {
        var claims = _f.Gateway.Tokens.Claims("auth0|limited-carol");
        claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds();
        for (var i = 0; i < 5; i++)
        {
            using var expired = await _f.Gateway.SendAsync("/limited/x", _f.Gateway.Tokens.Sign(claims));
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        }

        using var valid = await _f.Gateway.SendAsync("/limited/x", _f.Gateway.Tokens.Valid("auth0|limited-carol"));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public async Task AnApisRateLimit_CountsEveryRouteOfTheApi_ByClient()
    {
        var token = _f.Gateway.Tokens.Valid("auth0|someone", azp: "chatty-app");
        using var first = await _f.Gateway.SendAsync("/per-client-a/x", token);
        using var second = await _f.Gateway.SendAsync("/per-client-b/x", _f.Gateway.Tokens.Valid("auth0|someone-else", azp: "chatty-app"));
        using var other = await _f.Gateway.SendAsync("/per-client-a/x", _f.Gateway.Tokens.Valid("auth0|someone", azp: "quiet-app"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(["\"per-client\";q=1;w=600"], second.Headers.GetValues("RateLimit-Policy"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task AnExchangeRateLimit_CountsExchangesOnly()
    {
        // Two tokens of one user: two exchanges allowed; a third token is refused before any exchange, while the
        // first token's credential still comes from the cache.
        var tokens = Enumerable.Range(0, 3).Select(i =>
        {
            var claims = _f.Gateway.Tokens.Claims("auth0|exchanging-dave");
            claims["jti"] = $"token-{i}";
            return _f.Gateway.Tokens.Sign(claims);
        }).ToList();

        using var one = await _f.Gateway.SendAsync("/minted/x", tokens[0]);
        using var two = await _f.Gateway.SendAsync("/minted/x", tokens[1]);
        using var three = await _f.Gateway.SendAsync("/minted/x", tokens[2]);
        using var cached = await _f.Gateway.SendAsync("/minted/x", tokens[0]);

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, three.StatusCode);
        await ProblemAssert.IsProblemAsync(three, "rate_limited");
        Assert.Equal(["\"exchanges\";q=2;w=600"], three.Headers.GetValues("RateLimit-Policy"));
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
    }

    [Fact]
    public async Task APreflight_IsAnsweredByTheGateway_WithoutAToken_AndNeverProxied()
    {
        var forwarded = _f.Gateway.Backend.Requests.Count;
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/cors/items");
        preflight.Headers.Add("Origin", Origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");

        using var answer = await _f.Gateway.Gateway.Client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal([Origin], answer.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Contains("POST", answer.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Equal(forwarded, _f.Gateway.Backend.Requests.Count);
    }

    [Fact]
    public async Task ARequestFromAnAllowedOrigin_StillNeedsItsToken_AndGetsItsOriginEchoed()
    {
        using var anonymous = await _f.Gateway.SendAsync("/cors/items", null, r => r.Headers.Add("Origin", Origin));
        using var signedIn = await _f.Gateway.SendAsync("/cors/items", _f.Gateway.Tokens.Valid(), r => r.Headers.Add("Origin", Origin));
        using var stranger = await _f.Gateway.SendAsync("/cors/items", _f.Gateway.Tokens.Valid(), r => r.Headers.Add("Origin", "https://evil.example.com"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal([Origin], signedIn.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.False(stranger.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task EveryAnswerOnACorsRoute_PreflightsIncluded_VariesByOrigin_WithOrWithoutAnOrigin_AndOthersAreUntouched()
    {
        using var withOrigin = await _f.Gateway.SendAsync("/cors/items", _f.Gateway.Tokens.Valid(), r => r.Headers.Add("Origin", Origin));
        using var withoutOrigin = await _f.Gateway.SendAsync("/cors/items", _f.Gateway.Tokens.Valid());
        using var refused = await _f.Gateway.SendAsync("/cors/items", null);
        using var elsewhere = await _f.Gateway.SendAsync("/none/items", _f.Gateway.Tokens.Valid());
        using var preflightRequest = new HttpRequestMessage(HttpMethod.Options, "/cors/items");
        preflightRequest.Headers.Add("Origin", Origin);
        preflightRequest.Headers.Add("Access-Control-Request-Method", "POST");
        using var preflight = await _f.Gateway.Gateway.Client.SendAsync(preflightRequest);
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);

        foreach (var answer in new[] { withOrigin, withoutOrigin, refused, preflight })
        {
            Assert.Contains("Origin", answer.Headers.Vary);
            Assert.Single(answer.Headers.Vary, v => v.Equals("Origin", StringComparison.OrdinalIgnoreCase));
        }

        Assert.Equal(HttpStatusCode.OK, withoutOrigin.StatusCode);
        Assert.DoesNotContain("Origin", elsewhere.Headers.Vary);
    }

    [Fact]
    public async Task ABackendSlowerThanTheRoutesTimeout_Is504Timeout()
    {
        using var response = await _f.Gateway.SendAsync("/slow/x", _f.Gateway.Tokens.Valid());

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "timeout");
    }

    [Fact]
    public async Task AnExchangeSlowerThanTheRoutesTimeout_Is504Timeout()
    {
        using var response = await _f.Gateway.SendAsync("/slow-exchange/x", _f.Gateway.Tokens.Valid());

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "timeout");
    }

    [Fact]
    public async Task AnUploadSlowerThanTheRoutesTimeout_Is504Timeout()
    {
        // A raw socket: the request's headers and a first chunk of its body, then nothing more. The answer must
        // come while the body is still being waited for (an HttpClient would not read it before sending all).
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(_f.Gateway.Gateway.Address.Host, _f.Gateway.Gateway.Address.Port);
        var stream = client.GetStream();
        var head = $"POST /slow/upload HTTP/1.1\r\nHost: {_f.Gateway.Gateway.Address.Authority}\r\nAuthorization: Bearer {_f.Gateway.Tokens.Valid()}\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"text\": \"uploa\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);

        var statusLine = await reader.ReadLineAsync(patience.Token);
        var rest = new List<string>();
        for (var line = await reader.ReadLineAsync(patience.Token); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(patience.Token))
        {
            rest.Add(line);
        }

        Assert.Equal("HTTP/1.1 504 Gateway Timeout", statusLine);
        Assert.Contains(rest, h => h.StartsWith("Content-Type: application/problem+json", StringComparison.OrdinalIgnoreCase));
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public GatewayFixture Gateway { get; private set; } = null!;

        public RunningApp Silent { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            // A backend that never answers: the route's timeout, not the backend, ends the request.
            Silent = await RunningApp.StartAsync(args =>
            {
                var app = WebApplication.CreateSlimBuilder(args).Build();
                app.Map("/{**rest}", (HttpContext context) => Task.Delay(Timeout.Infinite, context.RequestAborted));
                return app;
            }, []);
            Gateway = new GatewayFixture { Customize = Configure };
            await Gateway.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Silent.DisposeAsync();
        }

        private void Configure(JsonObject config)
        {
            var gateway = config["Gateway"]!;
            gateway["RateLimits"] = new JsonObject
            {
                ["per-user"] = Limit("User", 3),
                ["per-client"] = Limit("Client", 1),
                ["exchanges"] = Limit("User", 2),
            };
            gateway["Cors"] = new JsonObject
            {
                ["spa"] = new JsonObject
                {
                    ["Origins"] = new JsonArray(Origin), ["Methods"] = new JsonArray("GET", "POST"),
                    ["Headers"] = new JsonArray("authorization", "content-type"), ["MaxAge"] = "00:10:00",
                },
            };
            gateway["Timeouts"] = new JsonObject { ["quick"] = "00:00:00.5" };
            var apis = gateway["Apis"]!.AsObject();
            apis["chatty"] = new JsonObject { ["Exchange"] = "None", ["RateLimit"] = "per-client" };
            apis["minted"] = new JsonObject
            {
                ["Exchange"] = "WamsMint", ["MasterKey"] = "a-master-key-for-the-tests", ["ExchangeRateLimit"] = "exchanges",
            };
            // An identity provider that never answers: the route's timeout ends the request before the exchange's own.
            apis["slow-exchange"] = new JsonObject
            {
                ["Exchange"] = "TokenExchange", ["ClientId"] = "gateway", ["ClientSecret"] = "a-secret", ["Audience"] = "https://orders.test",
                ["TokenEndpoint"] = new Uri(Silent.Address, "oauth/token").AbsoluteUri,
            };
            var routes = config["ReverseProxy"]!["Routes"]!.AsObject();
            routes["slow-exchange"] = With(GatewayConfig.Route("/slow-exchange/{**rest}", "slow-exchange"), "TimeoutPolicy", "quick");
            routes["limited"] = With(GatewayConfig.Route("/limited/{**rest}", "echo-none"), "RateLimiterPolicy", "per-user");
            routes["per-client-a"] = GatewayConfig.Route("/per-client-a/{**rest}", "chatty");
            routes["per-client-b"] = GatewayConfig.Route("/per-client-b/{**rest}", "chatty");
            routes["minted"] = GatewayConfig.Route("/minted/{**rest}", "minted");
            routes["cors"] = With(GatewayConfig.Route("/cors/{**rest}", "echo-none"), "CorsPolicy", "spa");
            routes["slow"] = With(GatewayConfig.Route("/slow/{**rest}", "echo-none", cluster: "silent"), "TimeoutPolicy", "quick");
            config["ReverseProxy"]!["Clusters"]!["silent"] = new JsonObject
            {
                ["Destinations"] = new JsonObject { ["d1"] = new JsonObject { ["Address"] = Silent.Address.AbsoluteUri } },
            };
        }

        private static JsonObject Limit(string partitionBy, int permits) => new()
        {
            ["PartitionBy"] = partitionBy, ["Algorithm"] = "FixedWindow", ["PermitLimit"] = permits, ["Window"] = "00:10:00", ["Scope"] = "Replica",
        };

        private static JsonObject With(JsonObject route, string key, string value)
        {
            route[key] = value;
            return route;
        }
    }
}
