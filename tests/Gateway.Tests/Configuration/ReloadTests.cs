using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Configuration;

/// <summary>
/// <c>Gateway:Apis</c> and <c>Gateway:IdentityHeaders</c> reload while the gateway runs: a valid change
/// applies to the next request, an invalid one is refused as a whole and the last good one keeps serving.
/// Each test runs its own gateway over a configuration file it rewrites.
/// </summary>
public sealed class ReloadTests : IAsyncLifetime
{
    private TestAuthority _authority = null!;
    private RecordingBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _authority = await TestAuthority.StartAsync();
        _backend = await RecordingBackend.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task TighterRequiredScopes_ApplyToTheNextRequest_WithoutRestart()
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        await using var gateway = await StartAsync(path);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));

        config["Gateway"]!["Apis"]!["echo-none"]!["RequiredScopes"] = new JsonArray("admin:all");
        Replace(path, config);

        await Eventually.ReturnsAsync(() => StatusAsync(gateway, "/none/a", token), s => s == HttpStatusCode.Forbidden);
        Assert.Equal(1, await ReloadsAsync(gateway, "applied"));
        Assert.Equal("Healthy", await ConfigurationHealthAsync(gateway));
    }

    [Fact]
    public async Task ChangedIdentityHeaders_ApplyToTheNextRequest()
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        await using var gateway = await StartAsync(path);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid("auth0|alice");

        config["Gateway"]!["IdentityHeaders"] = new JsonObject { ["X-User-Id"] = "", ["X-Subject"] = "sub" };
        Replace(path, config);
        await Eventually.ReturnsAsync(() => ReloadsAsync(gateway, "applied"), n => n == 1);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/after", token, r => r.Headers.TryAddWithoutValidation("X-User-Id", "auth0|mallory")));
        var received = _backend.Requests.Last(r => r.PathAndQuery == "/none/after");
        Assert.Equal(["auth0|alice"], received.Header("X-Subject"));

        // Switched off, but still a header the gateway manages: a caller's copy never passes.
        Assert.Empty(received.Header("X-User-Id"));
    }

    [Fact]
    public async Task InvalidChange_IsRefusedAsAWhole_TheLastGoodKeepsServing_ReadinessDegraded()
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        var logs = new CapturingLoggerProvider();
        await using var gateway = await StartAsync(path, logs);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        // A valid tightening and an invalid API in one change: neither applies.
        config["Gateway"]!["Apis"]!["echo-none"]!["RequiredScopes"] = new JsonArray("admin:all");
        config["Gateway"]!["Apis"]!["minted"] = new JsonObject { ["Exchange"] = "WamsMint", ["MasterKey"] = "secret-master-key", ["Lifetime"] = "00:00:01" };
        config["Gateway"]!["Apis"]!["pigeon"] = new JsonObject { ["Exchange"] = "Carrier-Pigeon" };
        // A client secret pasted into the URL setting, and a password into a URL: neither is repeated in a log line.
        config["Gateway"]!["Apis"]!["pasted"] = new JsonObject
        {
            ["Exchange"] = "TokenExchange", ["TokenEndpoint"] = "pasted-client-secret-91ab", ["ClientId"] = "gateway",
            ["ClientSecret"] = "x", ["Audience"] = "https://orders.test",
        };
        config["Gateway"]!["Apis"]!["leaky"] = new JsonObject
        {
            ["Exchange"] = "TokenExchange", ["TokenEndpoint"] = "http://user:url-password-77c2@orders.example/token?key=query-secret-3f", ["ClientId"] = "gateway",
            ["ClientSecret"] = "x", ["Audience"] = "https://orders.test",
        };
        Replace(path, config);

        Assert.Equal("Degraded", await Eventually.ReturnsAsync(() => ConfigurationHealthAsync(gateway), s => s == "Degraded"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));
        Assert.Equal(1, await ReloadsAsync(gateway, "refused"));
        Assert.Equal(0, await ReloadsAsync(gateway, "applied"));
        var errors = logs.Lines.Where(m => m.Contains("reload refused", StringComparison.Ordinal)).ToList();
        Assert.Contains(errors, m => m.Contains("Gateway:Apis:minted:Lifetime: between", StringComparison.Ordinal));
        // Configured values a problem quotes are masked, a URL down to its scheme, host and path; names (a kind's too) stay.
        Assert.Contains(errors, m => m.Contains("Gateway:Apis:pigeon:Exchange: 'Carrier-Pigeon' is not one of", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains("Gateway:Apis:pasted:TokenEndpoint: '***' must be an absolute https URL", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains("Gateway:Apis:leaky:TokenEndpoint: 'http://***@orders.example/token?***' must be", StringComparison.Ordinal));
        foreach (var secret in new[] { "secret-master-key", "pasted-client-secret-91ab", "url-password-77c2", "query-secret-3f" })
        {
            Assert.DoesNotContain(logs.Lines, m => m.Contains(secret, StringComparison.Ordinal));
        }


        // The next valid configuration applies, and readiness recovers.
        config["Gateway"]!["Apis"]!.AsObject().Remove("pigeon");
        config["Gateway"]!["Apis"]!.AsObject().Remove("pasted");
        config["Gateway"]!["Apis"]!.AsObject().Remove("leaky");
        config["Gateway"]!["Apis"]!["minted"]!["Lifetime"] = "00:10:00";
        Replace(path, config);
        Assert.Equal("Healthy", await Eventually.ReturnsAsync(() => ConfigurationHealthAsync(gateway), s => s == "Healthy"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, "/none/a", token));
    }

    [Fact]
    public async Task AnEditYarpCannotConvert_ShowsAsWaitingForRoutes_WhileTheOldRoutesServe()
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        await using var gateway = await StartAsync(path);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();
        var state = gateway.Services.GetRequiredService<WamsGateway.State.WamsGatewayState>();
        Assert.False((bool)state.Snapshot()["configuration"]!["waitingForRoutes"]!);

        // The gateway's section is valid; YARP cannot read the route's timeout and keeps its old routes.
        config["Gateway"]!["Apis"]!["echo-none"]!["RequiredScopes"] = new JsonArray("admin:all");
        config["ReverseProxy"]!["Routes"]!["none"]!["Timeout"] = "bogus";
        Replace(path, config);

        Assert.True(await Eventually.ReturnsAsync(() => Task.FromResult((bool)state.Snapshot()["configuration"]!["waitingForRoutes"]!), waiting => waiting));
        // The route serves the configuration it was loaded with, its API's old rules included.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));
    }

    [Fact]
    public async Task AFileThatCannotBeRead_KeepsTheLastGoodConfiguration_RoutesIncluded()
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        var logs = new CapturingLoggerProvider();
        await using var gateway = await StartAsync(path, logs);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        // Half written: not JSON.
        var text = config.ToJsonString();
        File.WriteAllText(path + ".new", text[..(text.Length / 2)]);
        File.Move(path + ".new", path, overwrite: true);
        Assert.Equal("Degraded", await Eventually.ReturnsAsync(() => CheckAsync(gateway, "configuration-file"), s => s == "Degraded"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));

        // Gone.
        File.Delete(path);
        Assert.Contains(logs.Lines, m => m.Contains("The configuration file changed but", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));

        // Back, with a change: applied, and readiness recovers.
        config["Gateway"]!["Apis"]!["echo-none"]!["RequiredScopes"] = new JsonArray("admin:all");
        Replace(path, config);
        Assert.Equal("Healthy", await Eventually.ReturnsAsync(() => CheckAsync(gateway, "configuration-file"), s => s == "Healthy"));
        await Eventually.ReturnsAsync(() => StatusAsync(gateway, "/none/a", token), s => s == HttpStatusCode.Forbidden);
        Assert.Equal(0, await ReloadsAsync(gateway, "refused"));
    }

    [Fact]
    public async Task RestartOnlySections_TheHostingPackagesManagementIncluded_AreLoggedAsNeedingARestart_TheRestApplies()
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        var logs = new CapturingLoggerProvider();
        await using var gateway = await StartAsync(path, logs);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        // Management belongs to the hosting package: the gateway's own check for unknown keys accepts it.
        config["Gateway"]!["Management"] = new JsonObject { ["Urls"] = "http://127.0.0.1:0" };
        config["Gateway"]!["Delegation"] = new JsonObject { ["Timeout"] = "00:00:07" };
        config["Gateway"]!["Apis"]!["echo-none"]!["RequiredScopes"] = new JsonArray("admin:all");
        Replace(path, config);

        await Eventually.ReturnsAsync(() => StatusAsync(gateway, "/none/a", token), s => s == HttpStatusCode.Forbidden);
        Assert.Contains(logs.Lines, l => l.Contains("Gateway:Management changed; it is read at start only", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("Gateway:Delegation changed; it is read at start only", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("Gateway:Cache changed", StringComparison.Ordinal));
        Assert.Equal(0, await ReloadsAsync(gateway, "refused"));

        // Health is still where it was: the management listener is read at start.
        Assert.Equal("Healthy", await ConfigurationHealthAsync(gateway));
    }

    [Fact]
    public async Task NewApiAndTheRouteNamingIt_LoadTogether()
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        await using var gateway = await StartAsync(path);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        config["Gateway"]!["Apis"]!["late"] = new JsonObject { ["Exchange"] = "None", ["AllowedClients"] = new JsonArray("client-a") };
        config["ReverseProxy"]!["Routes"]!["late"] = GatewayConfig.Route("/late/{**rest}", "late");
        Replace(path, config);

        await Eventually.ReturnsAsync(() => StatusAsync(gateway, "/late/x", token), s => s == HttpStatusCode.OK);
        Assert.Equal("Healthy", await ConfigurationHealthAsync(gateway));
    }

    [Fact]
    public async Task OneEdit_ARouteMovedToANewStricterApi_AppliesAsOne_UnderLoad()
    {
        var config = Config();
        config["Gateway"]!["Apis"]!["weak"] = new JsonObject { ["Exchange"] = "None" };
        config["ReverseProxy"]!["Routes"]!["bind"] = GatewayConfig.Route("/bind/{**rest}", "weak");
        var path = GatewayConfig.Write(config);
        var logs = new CapturingLoggerProvider();
        await using var gateway = await StartAsync(path, logs, "--Logging:LogLevel:WamsGateway.Configuration.GatewayConfigurationMonitor=Information");
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        await using var load = RequestLoad.Start(gateway, "/bind/x", token);
        await load.UntilAsync(l => l.Count(HttpStatusCode.OK) >= 50);

        // One edit: a new API that requires a scope the caller lacks, and the route moved to it.
        config["Gateway"]!["Apis"]!["strong"] = new JsonObject { ["Exchange"] = "None", ["RequiredScopes"] = new JsonArray("admin:all") };
        config["ReverseProxy"]!["Routes"]!["bind"] = GatewayConfig.Route("/bind/{**rest}", "strong");
        Replace(path, config);
        await load.UntilAsync(l => l.Count(HttpStatusCode.Forbidden) >= 200);
        var answers = await load.StopAsync();

        // Once the reload is reported, or the new API has refused a request, no request that started after was let through by the old one.
        var reloaded = Assert.Single(logs.Timed, l => l.Message.StartsWith("Configuration reloaded", StringComparison.Ordinal)).Timestamp;
        var firstRefusal = answers.Where(a => a.Status == HttpStatusCode.Forbidden).Min(a => a.Ended);
        var late = answers.Where(a => a.Started > Math.Min(reloaded, firstRefusal) && a.Status != HttpStatusCode.Forbidden).ToList();
        Assert.True(late.Count == 0, $"{late.Count} request(s) started after the reload was reported or refused by the new API were answered {string.Join(", ", late.Select(a => a.Status).Distinct())}.");
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"{a.Status}"));
    }

    [Fact]
    public async Task OneEdit_AnApiRemovedWithTheRouteMovedOffIt_NeverAnswersApiNotConfigured_UnderLoad()
    {
        var config = Config();
        config["Gateway"]!["Apis"]!["weak"] = new JsonObject { ["Exchange"] = "None" };
        config["Gateway"]!["Apis"]!["old"] = new JsonObject { ["Exchange"] = "Passthrough" };
        config["ReverseProxy"]!["Routes"]!["bind"] = GatewayConfig.Route("/bind/{**rest}", "old");
        var path = GatewayConfig.Write(config);
        await using var gateway = await StartAsync(path);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        await using var load = RequestLoad.Start(gateway, "/bind/x", token);
        await load.UntilAsync(l => l.Count(HttpStatusCode.OK) >= 50);

        // One edit: the route moves to another API and the API it named is removed.
        config["Gateway"]!["Apis"]!.AsObject().Remove("old");
        config["ReverseProxy"]!["Routes"]!["bind"] = GatewayConfig.Route("/bind/{**rest}", "weak");
        Replace(path, config);

        // Passthrough forwards the caller's Authorization, None does not: the backend tells which API served.
        var servedByOld = _backend.Requests.Count(r => r.PathAndQuery == "/bind/x" && r.Header("Authorization").Length > 0);
        await Eventually.ReturnsAsync(() => Task.FromResult(_backend.Requests.Where(r => r.PathAndQuery == "/bind/x").TakeLast(50).ToList()),
            recent => recent.Count == 50 && recent.All(r => r.Header("Authorization").Length == 0));
        var answers = await load.StopAsync();

        Assert.True(servedByOld > 0);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
    }

    [Fact]
    public async Task RoutesFromMemory_AReloadOfTheGatewaysSection_ReachesThem()
    {
        // A host whose routes come from code (YARP's in-memory provider), not from the configuration that reloads:
        // nothing would reload YARP, so the gateway asks it to, and the routes are bound to the new snapshot.
        var config = Config();
        var path = GatewayConfig.Write(config);
        await using var gateway = await RunningApp.StartAsync(args =>
        {
            var builder = WebApplication.CreateBuilder(args);
            Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(builder.Configuration, path, optional: false, reloadOnChange: true);
            builder.Services.AddReverseProxy()
                .LoadFromMemory(
                    [new Yarp.ReverseProxy.Configuration.RouteConfig { RouteId = "none", ClusterId = "backend", Match = new() { Path = "/none/{**rest}" }, Metadata = new Dictionary<string, string> { ["Api"] = "echo-none" } }],
                    [new Yarp.ReverseProxy.Configuration.ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, Yarp.ReverseProxy.Configuration.DestinationConfig> { ["d1"] = new() { Address = _backend.Address.AbsoluteUri } } }])
                .AddWamsGateway(builder.Configuration.GetSection("Gateway"));
            var app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapReverseProxy(proxy => proxy.UseWamsGateway());
            return app;
        }, []);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));

        config["Gateway"]!["Apis"]!["echo-none"]!["RequiredScopes"] = new JsonArray("admin:all");
        Replace(path, config);

        await Eventually.ReturnsAsync(() => StatusAsync(gateway, "/none/a", token), s => s == HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RemovingAnApiARouteStillNames_IsRefused_RemovingBoth_Applies()
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        var logs = new CapturingLoggerProvider();
        await using var gateway = await StartAsync(path, logs);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        config["Gateway"]!["Apis"]!.AsObject().Remove("echo-none");
        Replace(path, config);
        Assert.Equal("Degraded", await Eventually.ReturnsAsync(() => ConfigurationHealthAsync(gateway), s => s == "Degraded"));
        Assert.Contains(logs.Lines, m => m.Contains("ReverseProxy:Routes:none:Metadata:Api: API 'echo-none' is not defined", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));

        config["ReverseProxy"]!["Routes"]!.AsObject().Remove("none");
        Replace(path, config);
        Assert.Equal("Healthy", await Eventually.ReturnsAsync(() => ConfigurationHealthAsync(gateway), s => s == "Healthy"));

        // YARP applies its new routes on its own schedule; until then the old route fails closed (503).
        await Eventually.ReturnsAsync(() => StatusAsync(gateway, "/none/a", token), s => s == HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RoutesYarpRefuses_KeepTheirApis_HoweverManyGatewayEditsFollow_AndReadinessSaysSo()
    {
        var config = Config();
        config["Gateway"]!["Apis"]!["echo-none"]!["AllowedClients"] = new JsonArray("another-app");
        config["ReverseProxy"]!["Routes"]!["other"] = GatewayConfig.Route("/other/{**rest}", "echo-none");
        var path = GatewayConfig.Write(config);
        await using var gateway = await StartAsync(path);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, "/none/a", token));

        // One edit: the API opened to every client, and a route YARP refuses, so no route is reloaded.
        config["Gateway"]!["Apis"]!["echo-none"]!.AsObject().Remove("AllowedClients");
        config["ReverseProxy"]!["Routes"]!["other"]!["Match"]!["Path"] = "/other/{**rest";
        Replace(path, config);
        Assert.Equal("Degraded", await Eventually.ReturnsAsync(() => ConfigurationHealthAsync(gateway), s => s == "Degraded"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, "/none/a", token));

        // More edits of the gateway's own section than it keeps snapshots for: the served route keeps the one it was loaded with.
        var catalog = gateway.Services.GetRequiredService<ApiCatalog>();
        for (var edit = 0; edit < 12; edit++)
        {
            var before = catalog.Current.Generation;
            config["Gateway"]!["IdentityHeaders"] = new JsonObject { [$"X-Edit-{edit}"] = "" };
            Replace(path, config);
            await Eventually.ReturnsAsync(() => Task.FromResult(catalog.Current.Generation), g => g > before);
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(gateway, "/none/a", token));
        }

        Assert.Equal("Degraded", await ConfigurationHealthAsync(gateway));

        // The route fixed: routes and API load together, and readiness is Healthy again.
        config["ReverseProxy"]!["Routes"]!["other"]!["Match"]!["Path"] = "/other/{**rest}";
        Replace(path, config);
        await Eventually.ReturnsAsync(() => StatusAsync(gateway, "/none/a", token), s => s == HttpStatusCode.OK);
        Assert.Equal("Healthy", await Eventually.ReturnsAsync(() => ConfigurationHealthAsync(gateway), s => s == "Healthy"));
    }

    [Fact]
    public async Task ARefusedEdit_LoadsNoneOfItsRoutes_NotEvenAValidAnonymousOne_UntilItIsFixed()
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        await using var gateway = await StartAsync(path);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        // One edit: a new anonymous route, and a Gateway section the gateway refuses.
        config["ReverseProxy"]!["Routes"]!["sneak"] = GatewayConfig.Route("/sneak/{**rest}", null, anonymous: true);
        config["Gateway"]!["Apis"]!["broken"] = new JsonObject { ["Exchange"] = "Nope" };
        Replace(path, config);
        Assert.Equal("Degraded", await Eventually.ReturnsAsync(() => ConfigurationHealthAsync(gateway), s => s == "Degraded"));

        using (var sneak = await gateway.Client.GetAsync("/sneak/x"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, sneak.StatusCode);
        }

        Assert.DoesNotContain(_backend.Requests, r => r.PathAndQuery.StartsWith("/sneak", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));

        config["Gateway"]!["Apis"]!.AsObject().Remove("broken");
        Replace(path, config);
        await Eventually.ReturnsAsync(async () =>
        {
            using var response = await gateway.Client.GetAsync("/sneak/x");
            return response.StatusCode;
        }, s => s == HttpStatusCode.OK);
        Assert.Equal("Healthy", await Eventually.ReturnsAsync(() => ConfigurationHealthAsync(gateway), s => s == "Healthy"));
    }

    [Theory]
    [InlineData("127.0.0.1:5101")]
    [InlineData("http://")]
    [InlineData("/relative/")]
    public async Task AClusterAddressThatIsNoHttpUrl_IsRefused_TheOldDestinationKeepsServing(string address)
    {
        var config = Config();
        var path = GatewayConfig.Write(config);
        await using var gateway = await StartAsync(path);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        config["ReverseProxy"]!["Clusters"]!["backend"]!["Destinations"]!["d1"]!["Address"] = address;
        Replace(path, config);
        Assert.Equal("Degraded", await Eventually.ReturnsAsync(() => ConfigurationHealthAsync(gateway), s => s == "Degraded"));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));
    }

    [Fact]
    public async Task ChangedExchangeSettings_NeverReuseACredentialObtainedUnderTheOldOnes()
    {
        var config = Config();
        config["Gateway"]!["Apis"]!["minted"] = new JsonObject { ["Exchange"] = "WamsMint", ["MasterKey"] = "old-master-key", ["Inject"] = "X-ZUMO-AUTH" };
        config["ReverseProxy"]!["Routes"]!["minted"] = GatewayConfig.Route("/minted/{**rest}", "minted");
        var path = GatewayConfig.Write(config);
        await using var gateway = await StartAsync(path);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/minted/before", token));

        config["Gateway"]!["Apis"]!["minted"]!["MasterKey"] = "new-master-key";
        Replace(path, config);
        await Eventually.ReturnsAsync(() => ReloadsAsync(gateway, "applied"), n => n == 1);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/minted/after", token));

        var before = Assert.Single(_backend.Requests.Last(r => r.PathAndQuery == "/minted/before").Header("X-ZUMO-AUTH"));
        var after = Assert.Single(_backend.Requests.Last(r => r.PathAndQuery == "/minted/after").Header("X-ZUMO-AUTH"));
        Assert.Null(ZumoError(before, "old-master-key"));
        Assert.Null(ZumoError(after, "new-master-key"));
        Assert.NotNull(ZumoError(after, "old-master-key"));
    }

    [Fact]
    public async Task KubernetesStyleSymlinkSwap_IsSeen_WithPolling()
    {
        // A ConfigMap volume: gateway.json -> ..data/gateway.json, ..data -> a timestamped directory,
        // and an update re-points ..data at a new directory in one rename.
        var volume = TempDirectory.Create("configmap");
        var config = Config();
        var first = Directory.CreateDirectory(Path.Combine(volume, "..2026_11_25_00_00_00.1")).FullName;
        await File.WriteAllTextAsync(Path.Combine(first, "gateway.json"), config.ToJsonString());
        File.CreateSymbolicLink(Path.Combine(volume, "..data"), first);
        File.CreateSymbolicLink(Path.Combine(volume, "gateway.json"), Path.Combine("..data", "gateway.json"));
        await using var gateway = await StartAsync(Path.Combine(volume, "gateway.json"), extra: "--DOTNET_USE_POLLING_FILE_WATCHER=true");
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/none/a", token));

        config["Gateway"]!["Apis"]!["echo-none"]!["RequiredScopes"] = new JsonArray("admin:all");
        var second = Directory.CreateDirectory(Path.Combine(volume, "..2026_11_25_00_01_00.2")).FullName;
        await File.WriteAllTextAsync(Path.Combine(second, "gateway.json"), config.ToJsonString());
        File.CreateSymbolicLink(Path.Combine(volume, "..data_tmp"), second);
        using (var rename = System.Diagnostics.Process.Start("mv", ["-T", Path.Combine(volume, "..data_tmp"), Path.Combine(volume, "..data")]))
        {
            // rename(2), as the kubelet does it: the link is replaced in one step.
            await rename.WaitForExitAsync();
            Assert.Equal(0, rename.ExitCode);
        }

        Directory.Delete(first, recursive: true);

        await Eventually.ReturnsAsync(() => StatusAsync(gateway, "/none/a", token), s => s == HttpStatusCode.Forbidden, TimeSpan.FromSeconds(30));
        Assert.Equal(1, await ReloadsAsync(gateway, "applied"));
    }

    /// <summary>What the WAMS backend says of the token, validating with this master key (null: accepted).</summary>
    private static string? ZumoError(string token, string masterKey) =>
        new SampleBackend.Zumo.ZumoTokenValidator(Options.Create(new SampleBackend.SampleBackendOptions { MasterKey = masterKey }), TimeProvider.System).Validate(token).Error;

    private JsonObject Config() => GatewayConfig.Default(_authority.Issuer, _backend.Address);

    private static async Task<RunningApp> StartAsync(string path, CapturingLoggerProvider? logs = null, string? extra = null)
    {
        var gateway = await RunningApp.StartAsync(
            args => GatewayApp.Build(args, services =>
            {
                if (logs is not null)
                {
                    services.AddLogging(l => l.AddProvider(logs));
                }
            }),
            [$"--config={path}", "--hostBuilder:reloadConfigOnChange=true", .. extra is null ? Array.Empty<string>() : [extra]]);
        Counters.Add(gateway, new ReloadCounter(gateway.Services));
        return gateway;
    }

    /// <summary>As an operator's tooling does it: the whole new file, renamed over the old one.</summary>
    private static void Replace(string path, JsonObject config)
    {
        var temporary = path + ".new";
        File.WriteAllText(temporary, config.ToJsonString());
        File.Move(temporary, path, overwrite: true);
    }

    private static async Task<HttpStatusCode> StatusAsync(RunningApp gateway, string path, string token, Action<HttpRequestMessage>? configure = null)
    {
        using var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, path, token, configure: configure);
        return response.StatusCode;
    }

    private static Task<string> ConfigurationHealthAsync(RunningApp gateway) => CheckAsync(gateway, "configuration");

    private static async Task<string> CheckAsync(RunningApp gateway, string check)
    {
        using var response = await gateway.Client.GetAsync("/healthz/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("checks").GetProperty(check).GetProperty("status").GetString()!;
    }

    /// <summary>
    /// <c>wamsgateway_config_reloads_total{outcome}</c> of this gateway, read from its own meter: several
    /// gateways share this test process, and OpenTelemetry's exporter mixes same-named meters across them.
    /// </summary>
    private static Task<int> ReloadsAsync(RunningApp gateway, string outcome) =>
        Task.FromResult(Counters.TryGetValue(gateway, out var counter) ? counter.Count(outcome) : 0);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RunningApp, ReloadCounter> Counters = [];

    private sealed class ReloadCounter : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

        public ReloadCounter(IServiceProvider services)
        {
            var factory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == "wamsgateway.config.reloads")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "outcome" && tag.Value is string outcome)
                    {
                        _counts.AddOrUpdate(outcome, (int)value, (_, n) => n + (int)value);
                    }
                }
            });
            _listener.Start();
        }

        public int Count(string outcome) => _counts.GetValueOrDefault(outcome);

        public void Dispose() => _listener.Dispose();
    }

}
