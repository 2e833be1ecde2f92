using System.Text.Json.Nodes;
using WamsGateway.Configuration;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Assertions;

/// <summary>A bad assertion setting stops start-up, naming its key.</summary>
public sealed class AssertionConfigurationTests
{
    private static readonly Uri Backend = new("http://127.0.0.1:9/");

    [Fact]
    public void AnApiAskingForAssertions_WithoutAnIssuer_IsRefused()
    {
        var config = WithAssertionApi(new JsonObject { ["Audience"] = "https://orders.test" });

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Assertion:Issuer: required, since API(s) orders ask for assertions", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Issuer", "\"gateway.internal\"", "Gateway:Assertion:Issuer: 'gateway.internal' is not an absolute http(s) URL")]
    [InlineData("Issuer", "\"http://gw/?x=1\"", "Gateway:Assertion:Issuer: 'http://gw/?x=1' is not an absolute http(s) URL")]
    [InlineData("Algorithm", "\"HS256\"", "Gateway:Assertion:Algorithm: 'HS256' is not one of ES256 | RS256 | PS256")]
    [InlineData("Algorithm", "\"none\"", "Gateway:Assertion:Algorithm: 'none' is not one of")]
    [InlineData("KeyLifetime", "\"00:01:00\"", "Gateway:Assertion:KeyLifetime: between 00:15:00")]
    [InlineData("KeyLifetime", "\"a month\"", "Gateway:Assertion:KeyLifetime: 'a month' is not a TimeSpan")]
    [InlineData("Issuers", "\"x\"", "Gateway:Assertion:Issuers: unknown setting")]
    public void BadGatewaySetting_IsRefused_NamingItsKey(string key, string json, string expected)
    {
        var config = WithAssertionApi(new JsonObject { ["Audience"] = "https://orders.test" });
        config["Gateway"]!["Assertion"] = new JsonObject { ["Issuer"] = "http://gw.internal/", [key] = JsonNode.Parse(json) };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Audience", "\"\"", "Gateway:Apis:orders:Assertion:Audience: required")]
    [InlineData("Audience", "null", "Gateway:Apis:orders:Assertion:Audience: required")]
    [InlineData("Lifetime", "\"00:30:00\"", "Gateway:Apis:orders:Assertion:Lifetime: 00:30:00 is outside 00:00:05 to 00:10:00")]
    [InlineData("Header", "\"X-User-Id\"", "Gateway:Apis:orders:Assertion:Header: 'X-User-Id' is already a credential, identity or forwarding header")]
    [InlineData("Header", "\"X_Forwarded_For\"", "Gateway:Apis:orders:Assertion:Header: 'X_Forwarded_For' is already")]
    [InlineData("Header", "\"X-Amz-Assertion\"", "Gateway:Apis:orders:Assertion:Header: 'X-Amz-Assertion' is already")]
    [InlineData("Header", "\"Authorization\"", "Gateway:Apis:orders:Assertion:Header: 'Authorization' is not a header name that can carry an assertion")]
    [InlineData("Header", "\"Bad Header\"", "Gateway:Apis:orders:Assertion:Header: 'Bad Header' is not a header name")]
    [InlineData("BindRequest", "\"sometimes\"", "Gateway:Apis:orders:Assertion:BindRequest: 'sometimes' is not a valid boolean")]
    [InlineData("Audiences", "[]", "Gateway:Apis:orders:Assertion:Audiences: unknown setting")]
    public void BadApiSetting_IsRefused_NamingItsKey(string key, string json, string expected)
    {
        var assertion = new JsonObject { ["Audience"] = "https://orders.test", [key] = JsonNode.Parse(json) };
        var config = WithAssertionApi(assertion);
        config["Gateway"]!["Assertion"] = new JsonObject { ["Issuer"] = "http://gw.internal/" };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AnEmptyAssertionSection_IsRefused_NotIgnored()
    {
        var config = WithAssertionApi(new JsonObject());
        config["Gateway"]!["Assertion"] = new JsonObject { ["Issuer"] = "http://gw.internal/" };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Apis:orders:Assertion:Audience: required", StringComparison.Ordinal));
    }

    [Fact]
    public void AnIdentityHeaderNamedLikeAnAssertionHeader_IsRefused()
    {
        var config = WithAssertionApi(new JsonObject { ["Audience"] = "https://orders.test", ["Header"] = "X-Orders-Assertion" });
        config["Gateway"]!["Assertion"] = new JsonObject { ["Issuer"] = "http://gw.internal/" };
        config["Gateway"]!["IdentityHeaders"] = new JsonObject { ["X_Orders_Assertion"] = "sub", ["X-Gateway-Assertion"] = "email" };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:IdentityHeaders:X_Orders_Assertion:", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:IdentityHeaders:X-Gateway-Assertion:", StringComparison.Ordinal));
    }

    [Fact]
    public void AnAssertionApi_OnAnAnonymousRoute_IsRefused_SinceItNeedsACaller()
    {
        var config = WithAssertionApi(new JsonObject { ["Audience"] = "https://orders.test" });
        config["Gateway"]!["Assertion"] = new JsonObject { ["Issuer"] = "http://gw.internal/" };
        config["ReverseProxy"]!["Routes"]!["open"] = GatewayConfig.Route("/open/{**rest}", "orders", anonymous: true);

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith("ReverseProxy:Routes:open:", StringComparison.Ordinal));
    }

    private static JsonObject WithAssertionApi(JsonObject assertion)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Apis"]!["orders"] = new JsonObject { ["Exchange"] = "None", ["Assertion"] = assertion };
        return config;
    }

    private static WebApplication Build(JsonObject config) => Tests.Configuration.ConfigurationValidationTests.Build(config);
}
