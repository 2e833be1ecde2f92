using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Configuration;

/// <summary>A bad configuration stops start-up with one line per problem, each naming its key.</summary>
public sealed class ConfigurationValidationTests
{
    private static readonly Uri Backend = new("http://127.0.0.1:9/");

    [Fact]
    public void Build_ManyProblems_ReportsEveryOneNamingItsKey()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        var gateway = config["Gateway"]!.AsObject();
        gateway["Authentication"]!["Authority"] = null;
        gateway["Authentication"]!["ClockSkew"] = "thirty seconds";
        gateway["Authentication"]!["AllowedAlgorithms"] = new JsonArray("RS256", "HS256", "none");
        gateway["Apis"]!["mystery"] = new JsonObject { ["Exchange"] = "Carrier-Pigeon" };
        gateway["Apis"]!["typo"] = new JsonObject { ["Exchange"] = "None", ["AllowedClient"] = new JsonArray("a") };
        gateway["Apis"]!["no-kind"] = new JsonObject { ["AllowedClients"] = new JsonArray("client-a") };
        config["ReverseProxy"]!["Routes"]!["ghost"] = GatewayConfig.Route("/ghost/{**rest}", "not-defined");

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Authentication:Authority: required", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Authentication:ClockSkew: 'thirty seconds' is not a TimeSpan", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Authentication:AllowedAlgorithms: 'HS256' is not allowed", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Authentication:AllowedAlgorithms: 'none' is not allowed", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Apis:mystery:Exchange: 'Carrier-Pigeon' is not one of None | Passthrough", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Apis:typo:AllowedClient: unknown setting", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Apis:no-kind:Exchange: required", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("ReverseProxy:Routes:ghost:Metadata:Api: API 'not-defined' is not defined", StringComparison.Ordinal));
        Assert.Equal(8, ex.Problems.Count);
        Assert.Equal(ex.Problems.Count + 1, ex.Message.Split(Environment.NewLine).Length);
    }

    [Theory]
    [InlineData("http://tenant.example.com/", true, "is not https")]
    [InlineData("http://tenant.example.com/", false, "loopback authorities only")]
    [InlineData("tenant.example.com", true, "is not an absolute http(s) URL")]
    public void Build_BadAuthority_IsRefused(string authority, bool requireHttps, string expected)
    {
        var config = GatewayConfig.Default(authority, Backend);
        config["Gateway"]!["Authentication"]!["RequireHttpsMetadata"] = requireHttps;

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Authentication:Authority:", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("/relative/path")]
    [InlineData("ftp://files.example.com/")]
    public void Build_ClusterDestinationThatIsNoHttpUrl_IsRefused(string address)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["ReverseProxy"]!["Clusters"]!["backend"]!["Destinations"]!["d1"]!["Address"] = address;

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith("ReverseProxy:Clusters:backend:Destinations:d1:Address:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Audiences", "[]", "Gateway:Authentication:Audiences")]
    [InlineData("ClockSkew", "\"00:10:00\"", "Gateway:Authentication:ClockSkew")]
    [InlineData("RequireHttpsMetadata", "\"maybe\"", "Gateway:Authentication:RequireHttpsMetadata")]
    public void Build_BadAuthenticationSetting_NamesIt(string key, string json, string expectedKey)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Authentication"]![key] = JsonNode.Parse(json);

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expectedKey + ":", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("X-ZUMO-AUTH")]
    [InlineData("X_Forwarded_For")]
    [InlineData("X-Amz-Security-Token")]
    [InlineData("X-Legacy-Token")]
    public void Build_IdentityHeaderNamedLikeACredentialOrForwardingHeader_IsRefused(string header)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["IdentityHeaders"] = new JsonObject { [header] = "sub" };
        config["Gateway"]!["StripHeaders"] = new JsonArray("X-Legacy-Token");

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith($"Gateway:IdentityHeaders:{header}: '{header}' carries a credential or a forwarding header", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("Host")]
    [InlineData("Bad Header")]
    public void Build_IdentityHeaderThatCannotCarryAClaim_IsRefused(string header)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["IdentityHeaders"] = new JsonObject { [header] = "sub" };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith($"Gateway:IdentityHeaders:{header}:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"Exchange":"Auth0Delegation"}""", "Gateway:Apis:x:Target: required for Auth0Delegation")]
    [InlineData("""{"Exchange":"Auth0Delegation","Target":"t","ApiType":"aws"}""", "Gateway:Apis:x:ApiType: 'aws' answers with something other than an id_token")]
    [InlineData("""{"Exchange":"Auth0Delegation","Target":"t","ApiType":"carrier"}""", "Gateway:Apis:x:ApiType: 'carrier' is not an Auth0 delegation api_type")]
    [InlineData("""{"Exchange":"Auth0Delegation","Target":"t","Endpoint":"http://idp.example.com/delegation"}""", "Gateway:Apis:x:Endpoint: 'http://idp.example.com/delegation' must be an absolute https URL")]
    [InlineData("""{"Exchange":"TokenExchange","Audience":"a"}""", "Gateway:Apis:x:ClientId and Gateway:Apis:x:ClientSecret: required for TokenExchange")]
    [InlineData("""{"Exchange":"TokenExchange","ClientId":"c","ClientSecret":"s"}""", "Gateway:Apis:x:Audience: name the API")]
    [InlineData("""{"Exchange":"TokenExchange","ClientId":"c","ClientSecret":"s","Resource":"not a uri"}""", "Gateway:Apis:x:Resource: 'not a uri' must be an absolute URI")]
    [InlineData("""{"Exchange":"TokenExchange","ClientId":"c","ClientSecret":"s","Audience":"a","ClientAuthentication":"Carrier"}""", "Gateway:Apis:x:ClientAuthentication: 'Carrier' is not one of Basic | Body")]
    [InlineData("""{"Exchange":"WamsMint"}""", "Gateway:Apis:x:MasterKey: required for WamsMint")]
    [InlineData("""{"Exchange":"WamsMint","MasterKey":"k","Lifetime":"00:00:10"}""", "Gateway:Apis:x:Lifetime: between 00:02:00 and 30.00:00:00")]
    [InlineData("""{"Exchange":"WamsMint","MasterKey":"k","Inject":"Host"}""", "Gateway:Apis:x:Inject: 'Host' cannot carry a credential")]
    [InlineData("""{"Exchange":"None","Injekt":"X-Token"}""", "Gateway:Apis:x:Injekt: unknown setting")]
    [InlineData("""{"Exchange":"Auth0Delegation","Target":"t","ApiType":"azure_blob"}""", "Gateway:Apis:x:ApiType: 'azure_blob' answers with something other than an id_token")]
    [InlineData("""{"Exchange":"AwsSts","Region":"us-east-1","Service":"s3"}""", "Gateway:Apis:x:RoleArn: required for AwsSts")]
    [InlineData("""{"Exchange":"AwsSts","RoleArn":"arn:aws:iam::1:role/r","Service":"s3"}""", "Gateway:Apis:x:Region: required for AwsSts")]
    [InlineData("""{"Exchange":"AwsSts","RoleArn":"arn:aws:iam::1:role/r","Region":"us-east-1"}""", "Gateway:Apis:x:Service: required for AwsSts")]
    [InlineData("""{"Exchange":"AwsSts","RoleArn":"arn:aws:iam::1:role/r","Region":"r","Service":"s","DurationSeconds":60}""", "Gateway:Apis:x:DurationSeconds: between 900 and 43200")]
    [InlineData("""{"Exchange":"AwsSts","RoleArn":"arn:aws:iam::1:role/r","Region":"r","Service":"s","Source":"Carrier"}""", "Gateway:Apis:x:Source: 'Carrier' is not one of WebIdentity | Auth0Delegation")]
    [InlineData("""{"Exchange":"AwsSts","RoleArn":"arn:aws:iam::1:role/r","Region":"r","Service":"s","Source":"Auth0Delegation"}""", "Gateway:Apis:x:Target: required for Source Auth0Delegation")]
    [InlineData("""{"Exchange":"AwsSts","RoleArn":"arn:aws:iam::1:role/r","Region":"r","Service":"s","Source":"Auth0Delegation","Target":"t"}""", "Gateway:Apis:x:PrincipalArn: required for Source Auth0Delegation")]
    [InlineData("""{"Exchange":"AwsSts","RoleArn":"arn:aws:iam::1:role/r","Region":"r","Service":"s","StsEndpoint":"http://sts.example.com"}""", "Gateway:Apis:x:StsEndpoint: 'http://sts.example.com' must be an absolute https URL")]
    public void Build_ExchangeKindSettings_AreChecked(string api, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Apis"]!["x"] = JsonNode.Parse(api);

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_AnotherKindsSettings_AreAcceptedAndIgnored()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Apis"]!["x"] = JsonNode.Parse("""{"Exchange":"None","Inject":"X-ZUMO-AUTH","MasterKey":"k","RoleArn":"arn:aws:iam::1:role/r"}""");

        using var app = Build(config);

        Assert.IsType<WamsGateway.Exchanges.NoOptions>(app.Services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Apis["x"].Settings);
    }

    [Fact]
    public void Build_SecretsNeverAppearInProblems()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Apis"]!["x"] = new JsonObject { ["Exchange"] = "WamsMint", ["MasterKey"] = "very-secret-master-key", ["Lifetime"] = "bad" };
        config["Gateway"]!["Apis"]!["y"] = new JsonObject { ["Exchange"] = "TokenExchange", ["ClientSecret"] = "very-secret-client-secret" };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.DoesNotContain("very-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_AnonymousRouteWithExchangingApi_IsRefused()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Apis"]!["minted"] = new JsonObject { ["Exchange"] = "WamsMint", ["MasterKey"] = "k" };
        config["ReverseProxy"]!["Routes"]!["open"] = GatewayConfig.Route("/open/{**rest}", "minted", anonymous: true);

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith("ReverseProxy:Routes:open:Metadata:Api: API 'minted' needs a signed-in caller", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_ValidConfiguration_BindsDefaults()
    {
        using var app = Build(GatewayConfig.Default("https://tenant.example.com/", Backend));

        var options = app.Services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(30), options.Authentication.ClockSkew);
        Assert.Equal(["RS256"], options.Authentication.EffectiveAlgorithms);
        Assert.Equal("sub", options.IdentityHeaders["x-user-id"]);
        Assert.Equal("Passthrough", options.Apis["ECHO-PASS"].Exchange);
        Assert.IsType<WamsGateway.Exchanges.NoOptions>(options.Apis["echo-none"].Settings);
    }

    [Fact]
    public void Build_Layering_ConfigFileOverAppSettingsAndCommandLineOverBoth()
    {
        var contentRoot = TempDirectory.Create("layering");
        File.WriteAllText(Path.Combine(contentRoot, "appsettings.json"), """
            { "Gateway": { "Authentication": { "ClockSkew": "00:00:05", "ValidIssuers": ["https://from-appsettings/"] } } }
            """);
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Authentication"]!["ClockSkew"] = "00:00:10";
        config["Gateway"]!["Apis"]!["late"] = new JsonObject { ["Exchange"] = "Carrier-Pigeon" };

        using var app = GatewayApp.Build([
            $"--contentRoot={contentRoot}", "--hostBuilder:reloadConfigOnChange=false",
            $"--config={GatewayConfig.Write(config)}", "--Gateway:Apis:late:Exchange=None"]);

        var options = app.Services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(10), options.Authentication.ClockSkew);
        Assert.Equal(["https://from-appsettings/"], options.Authentication.ValidIssuers);
        Assert.Equal("None", options.Apis["late"].Exchange);
    }

    [Fact]
    public void Build_ConfigFileMissing_NamesTheFile()
    {
        var missing = Path.Combine(TempDirectory.Create("missing"), "nope.json");

        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build([$"--config={missing}"]));

        Assert.Equal($"Configuration file '{missing}' (from --config) was not found.", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Build_ConfigFileMalformed_NamesTheFileAndLine()
    {
        var path = Path.Combine(TempDirectory.Create("malformed"), "gateway.json");
        File.WriteAllText(path, "{\n  \"Gateway\": {\n    \"Apis\": { ,\n}");

        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build(["--config", path]));

        Assert.StartsWith($"Configuration file '{path}' (from --config) is not valid JSON: line 3", Assert.Single(ex.Problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("None", "Authorization", "Gateway:Apis:api:TokenHeader: 'Authorization' cannot carry a caller's token")]
    [InlineData("None", "X_Forwarded_For", "Gateway:Apis:api:TokenHeader: 'X_Forwarded_For' cannot carry a caller's token")]
    [InlineData("None", "X-Amz-Token", "Gateway:Apis:api:TokenHeader: 'X-Amz-Token' cannot carry a caller's token")]
    [InlineData("None", "Bad Header", "Gateway:Apis:api:TokenHeader: 'Bad Header' cannot carry a caller's token")]
    [InlineData("None", "Content_Type", "Gateway:Apis:api:TokenHeader: 'Content_Type' cannot carry a caller's token")]
    [InlineData("None", "Transfer.Encoding", "Gateway:Apis:api:TokenHeader: 'Transfer.Encoding' cannot carry a caller's token")]
    [InlineData("None", "Content-Encoding", "Gateway:Apis:api:TokenHeader: 'Content-Encoding' cannot carry a caller's token")]
    [InlineData("None", "Expect", "Gateway:Apis:api:TokenHeader: 'Expect' cannot carry a caller's token")]
    [InlineData("None", "Sec-WebSocket-Key", "Gateway:Apis:api:TokenHeader: 'Sec-WebSocket-Key' cannot carry a caller's token")]
    [InlineData("Passthrough", "X-ZUMO-AUTH", "Gateway:Apis:api:TokenHeader: a Passthrough API forwards the caller's Authorization header")]
    [InlineData("None", "X-User-Id", "Gateway:IdentityHeaders:X-User-Id: 'X-User-Id' carries a credential")]
    public void Build_BadTokenHeader_IsRefused(string kind, string header, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Apis"]!["api"] = new JsonObject { ["Exchange"] = kind, ["TokenHeader"] = header };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("StripHeaders", "Content_Type", "Gateway:StripHeaders:0: 'Content_Type' frames the request")]
    [InlineData("IdentityHeaders", "Content_Length", "Gateway:IdentityHeaders:Content_Length: 'Content_Length' is reserved")]
    [InlineData("IdentityHeaders", "Sec-WebSocket-Key", "Gateway:IdentityHeaders:Sec-WebSocket-Key: 'Sec-WebSocket-Key' is reserved")]
    public void Build_AHeaderNamedLikeOneOfHttpsOwn_InAnySpelling_IsRefused(string section, string header, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]![section] = section == "StripHeaders" ? new JsonArray(header) : new JsonObject { [header] = "sub" };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Authentication:Authorities", "default", "{}", "Gateway:Authentication:Authorities:default: 'default' is the authority configured directly")]
    [InlineData("Authentication:Authorities", "eu tenant", "{}", "Gateway:Authentication:Authorities:eu tenant: 'eu tenant' is not an authority name")]
    [InlineData("Authentication:Authorities", "eu", "{}", "Gateway:Authentication:Authorities:eu:Authority: required")]
    [InlineData("Authorities", "eu", "{\"Authority\": \"https://eu.example.com/\", \"Audiences\": []}", "Gateway:Authorities:eu:Audiences: list at least one")]
    [InlineData("Authorities", "eu", "{\"Authority\": \"https://eu.example.com/\", \"Audiences\": [\"a\"], \"AllowedAlgorithms\": [\"HS256\"]}", "Gateway:Authorities:eu:AllowedAlgorithms: 'HS256' is not allowed")]
    [InlineData("Authorities", "eu", "{\"Authority\": \"https://tenant.example.com/\", \"Audiences\": [\"a\"]}", "Gateway:Authorities:eu: issuer 'https://tenant.example.com/' is already Gateway:Authentication's")]
    [InlineData("Authorities", "eu", "{\"Authority\": \"https://eu.example.com/\", \"Audiences\": [\"a\"], \"ClockSkew\": \"soon\"}", "Gateway:Authorities:eu:ClockSkew: 'soon' is not a TimeSpan")]
    public void Build_BadNamedAuthority_IsRefused(string place, string name, string json, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        var section = place == "Authorities" ? config["Gateway"]! : config["Gateway"]!["Authentication"]!;
        section["Authorities"] = new JsonObject { [name] = JsonNode.Parse(json) };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_AnAuthorityNamedInBothPlaces_IsRefused()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Authentication"]!["Authorities"] = new JsonObject { ["eu"] = EuAuthority("https://eu.example.com/") };
        config["Gateway"]!["Authorities"] = new JsonObject { ["EU"] = EuAuthority("https://eu2.example.com/") };

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Authorities:EU: authority 'EU' is defined twice", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"Exchange\": \"None\", \"Authorities\": [\"us\"]}", "Gateway:Apis:api:Authorities: 'us' is not a configured authority; known: default, eu.")]
    [InlineData("{\"Exchange\": \"None\", \"Authorities\": []}", "Gateway:Apis:api:Authorities: empty")]
    [InlineData("{\"Exchange\": \"None\", \"Audiences\": [\"https://nobody.example.com\"]}", "Gateway:Apis:api:Audiences: 'https://nobody.example.com' is not among the Audiences")]
    [InlineData("{\"Exchange\": \"None\", \"Authorities\": [\"default\"], \"Audiences\": [\"https://orders.eu\"]}", "Gateway:Apis:api:Audiences: 'https://orders.eu' is not among the Audiences")]
    [InlineData("{\"Exchange\": \"None\", \"Audiences\": []}", "Gateway:Apis:api:Audiences: list at least one audience")]
    public void Build_AnApisAuthoritiesAndAudiences_AreChecked(string api, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Authentication"]!["Authorities"] = new JsonObject { ["eu"] = EuAuthority("https://eu.example.com/") };
        config["Gateway"]!["Apis"]!["api"] = JsonNode.Parse(api);

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_AnApiNarrowedToANamedAuthoritysAudience_IsAccepted()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Authorities"] = new JsonObject { ["eu"] = EuAuthority("https://eu.example.com/") };
        config["Gateway"]!["Apis"]!["api"] = new JsonObject { ["Exchange"] = "None", ["Authorities"] = new JsonArray("EU"), ["Audiences"] = new JsonArray("https://orders.eu") };

        using var app = Build(config);

        var options = app.Services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value;
        Assert.Equal(["EU"], options.Apis["api"].Authorities);
        Assert.Equal("https://eu.example.com/", options.Authorities["eu"].Authority);
    }

    [Theory]
    [InlineData("RateLimiterPolicy", "per-user", "ReverseProxy:Routes:none:RateLimiterPolicy: 'per-user' is not defined under Gateway:RateLimits")]
    [InlineData("CorsPolicy", "spa", "ReverseProxy:Routes:none:CorsPolicy: 'spa' is not defined under Gateway:Cors")]
    [InlineData("TimeoutPolicy", "slow", "ReverseProxy:Routes:none:TimeoutPolicy: 'slow' is not defined under Gateway:Timeouts")]
    public void Build_ARoutePolicyNothingDefines_IsRefusedNamingItsKey(string key, string name, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["ReverseProxy"]!["Routes"]!["none"]![key] = name;

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"Exchange\": \"None\", \"RateLimit\": \"nope\"}", "Gateway:Apis:api:RateLimit: 'nope' is not defined under Gateway:RateLimits")]
    [InlineData("{\"Exchange\": \"None\", \"ExchangeRateLimit\": \"nope\"}", "Gateway:Apis:api:ExchangeRateLimit: 'nope' is not defined under Gateway:RateLimits")]
    public void Build_AnApiNamingARateLimitNothingDefines_IsRefused(string api, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]!["Apis"]!["api"] = JsonNode.Parse(api);

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("RateLimits", "{\"l\": {\"PermitLimit\": 10, \"Window\": \"00:01:00\", \"Scope\": \"Fleet\"}}", "Gateway:RateLimits:l:Scope: Fleet counts in Redis")]
    [InlineData("RateLimits", "{\"l\": {\"PermitLimit\": 10, \"Window\": \"00:01:00\", \"SyncInterval\": \"00:00:01\"}}", "Gateway:RateLimits:l:SyncInterval: settles a Scope Fleet FixedWindow limit")]
    [InlineData("RateLimits", "{\"l\": {\"PermitLimit\": 10, \"Algorithm\": \"SlidingWindow\", \"Window\": \"00:01:00\", \"Scope\": \"Fleet\", \"SyncInterval\": \"00:00:01\"}}", "Gateway:RateLimits:l:SyncInterval: settles a Scope Fleet FixedWindow limit")]
    [InlineData("RateLimits", "{\"l\": {\"PermitLimit\": 10, \"Window\": \"00:01:00\", \"Scope\": \"Fleet\", \"SyncInterval\": \"00:01:00\"}}", "Gateway:RateLimits:l:SyncInterval: 00:01:00 is outside 00:00:00.01 to the Window")]
    [InlineData("RateLimits", "{\"l\": {\"PermitLimit\": 10, \"Window\": \"00:01:00\", \"Scope\": \"Fleet\", \"SyncInterval\": \"00:00:00.001\"}}", "Gateway:RateLimits:l:SyncInterval: 00:00:00.0010000 is outside 00:00:00.01 to the Window")]
    [InlineData("RateLimits", "{\"l\": {\"PermitLimit\": 0, \"Window\": \"00:01:00\"}}", "Gateway:RateLimits:l:PermitLimit: between 1 and 1000000")]
    [InlineData("RateLimits", "{\"l\": {\"PermitLimit\": 10}}", "Gateway:RateLimits:l:Window: required for FixedWindow")]
    [InlineData("RateLimits", "{\"l\": {\"PermitLimit\": 10, \"Algorithm\": \"TokenBucket\"}}", "Gateway:RateLimits:l:TokensPerPeriod: required for TokenBucket")]
    [InlineData("RateLimits", "{\"l\": {\"PermitLimit\": 10, \"Window\": \"00:01:00\", \"PartitionBy\": \"Header\"}}", "Gateway:RateLimits:l:PartitionBy: 'Header' is not one of")]
    [InlineData("RateLimits", "{\"a b\": {\"PermitLimit\": 10, \"Window\": \"00:01:00\"}}", "Gateway:RateLimits:a b: 'a b' is not a policy name")]
    [InlineData("Cors", "{\"c\": {\"Origins\": [\"*\"], \"Credentials\": true}}", "Gateway:Cors:c:Origins: '*' with Credentials true")]
    [InlineData("Cors", "{\"c\": {\"Origins\": [\"https://app.example.com/path\"]}}", "Gateway:Cors:c:Origins: 'https://app.example.com/path' is not an origin")]
    [InlineData("Cors", "{\"c\": {}}", "Gateway:Cors:c:Origins: list the origins")]
    [InlineData("Timeouts", "{\"t\": \"00:00:00\"}", "Gateway:Timeouts:t: 00:00:00 is outside")]
    public void Build_BadTrafficPolicy_IsRefusedNamingItsKey(string section, string json, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", Backend);
        config["Gateway"]![section] = JsonNode.Parse(json);

        var ex = Assert.Throws<GatewayConfigurationException>(() => Build(config));

        Assert.Contains(ex.Problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    private static JsonObject EuAuthority(string authority) => new()
    {
        ["Authority"] = authority,
        ["Audiences"] = new JsonArray("https://orders.eu"),
    };

    [Theory]
    [InlineData("deploy/kubernetes/base/gateway.json")]
    [InlineData("deploy/local/gateway.json")]
    public void Build_ShippedConfigurationFiles_AreValid(string relativePath)
    {
        var path = RepositoryFile(relativePath);

        // Secrets come from the environment in a deployment; here, from the command line.
        using var app = GatewayApp.Build([
            $"--contentRoot={TempDirectory.Create("shipped")}", "--hostBuilder:reloadConfigOnChange=false", $"--config={path}",
            "--Gateway:Apis:orders:ClientSecret=from-the-secret",
            $"--Gateway:Redis:KeyRingKey={Convert.ToBase64String(new byte[32])}"]);

        Assert.NotEmpty(app.Services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Apis);
    }

    internal static string RepositoryFile(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(relativePath);
    }

    /// <summary>The standalone gateway built, not started, from <paramref name="config"/>.</summary>
    internal static WebApplication Build(JsonObject config) =>
        GatewayApp.Build([$"--contentRoot={TempDirectory.Create("config")}", "--hostBuilder:reloadConfigOnChange=false", $"--config={GatewayConfig.Write(config)}"]);
}

/// <summary>Routes that YARP reloads at run time go through the same checks.</summary>
public sealed class RouteReloadValidationTests
{
    [Theory]
    [InlineData("not-defined", null, "API 'not-defined' is not defined")]
    [InlineData("minted", "anonymous", "API 'minted' needs a signed-in caller")]
    public async Task ValidateRoute_BadApiBinding_IsAnError(string api, string? policy, string expected)
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", new Uri("http://127.0.0.1:9/"));
        config["Gateway"]!["Apis"]!["minted"] = new JsonObject { ["Exchange"] = "WamsMint", ["MasterKey"] = "k" };
        using var app = GatewayApp.Build([$"--contentRoot={TempDirectory.Create("reload")}", "--hostBuilder:reloadConfigOnChange=false", $"--config={GatewayConfig.Write(config)}"]);
        var validator = app.Services.GetRequiredService<Yarp.ReverseProxy.Configuration.IConfigValidator>();

        var errors = await validator.ValidateRouteAsync(new Yarp.ReverseProxy.Configuration.RouteConfig
        {
            RouteId = "late",
            ClusterId = "backend",
            AuthorizationPolicy = policy,
            Match = new Yarp.ReverseProxy.Configuration.RouteMatch { Path = "/late/{**rest}" },
            Metadata = new Dictionary<string, string> { ["Api"] = api },
        });

        Assert.Contains(errors, e => e.Message.StartsWith("ReverseProxy:Routes:late:Metadata:Api: " + expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateRoute_APolicyNothingDefines_IsAnErrorNamingItsKey()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", new Uri("http://127.0.0.1:9/"));
        using var app = GatewayApp.Build([$"--contentRoot={TempDirectory.Create("reload")}", "--hostBuilder:reloadConfigOnChange=false", $"--config={GatewayConfig.Write(config)}"]);
        var validator = app.Services.GetRequiredService<Yarp.ReverseProxy.Configuration.IConfigValidator>();

        var errors = await validator.ValidateRouteAsync(new Yarp.ReverseProxy.Configuration.RouteConfig
        {
            RouteId = "late",
            ClusterId = "backend",
            RateLimiterPolicy = "per-user",
            Match = new Yarp.ReverseProxy.Configuration.RouteMatch { Path = "/late/{**rest}" },
        });

        Assert.Contains(errors, e => e.Message.StartsWith("ReverseProxy:Routes:late:RateLimiterPolicy: 'per-user' is not defined under Gateway:RateLimits", StringComparison.Ordinal));
    }
}
