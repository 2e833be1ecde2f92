using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalAuthority;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using SampleBackend;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Support;

/// <summary>
/// The real local authority (delegation and token exchange), the real WAMS sample backend, a
/// recording backend, and a gateway with one API of each kind, all on loopback sockets.
/// </summary>
public class DelegationFixture : IAsyncLifetime
{
    public const string WamsMasterKey = "wams-master-key-for-tests";
    public const string GatewaySecret = "gateway-client-secret-for-tests";
    public const string AwsRootSecret = "aws-root-secret-for-tests";
    public const string RoleArn = "arn:aws:iam::123456789012:role/todo-files";

    public RunningApp Authority { get; private set; } = null!;

    public RunningApp WamsBackend { get; private set; } = null!;

    public RecordingBackend Recorder { get; private set; } = null!;

    public RunningApp Gateway { get; private set; } = null!;

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The gateway's clock; null for the system clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Lets a test change the gateway configuration before it starts.</summary>
    public Action<JsonObject>? Customize { get; init; }

    public virtual async Task InitializeAsync()
    {
        var state = TempDirectory.Create("delegation");
        Authority = await RunningApp.StartAsync(LocalAuthorityApp.Build,
        [
            $"--LocalAuthority:KeyFile={Path.Combine(state, "keys.json")}",
            "--LocalAuthority:Clients:todo-mobile:Name=Todo mobile",
            "--LocalAuthority:Clients:todo-desktop:Name=Todo desktop",
            $"--LocalAuthority:Clients:gateway:Secret={GatewaySecret}",
            $"--LocalAuthority:Clients:wams-app:WamsMasterKey={WamsMasterKey}",
            "--LocalAuthority:Clients:other-app:Name=Another add-on target",
            "--LocalAuthority:Users:alice:Password=alice-pw",
            "--LocalAuthority:Users:alice:Subject=auth0|alice",
            "--LocalAuthority:Users:alice:Email=alice@example.com",
            "--LocalAuthority:Users:alice:Permissions:0=write:todo",
            "--LocalAuthority:Users:bob:Password=bob-pw",
            "--LocalAuthority:Users:bob:Subject=auth0|bob",
            $"--LocalAuthority:TokenLifetime={TokenLifetime ?? TimeSpan.FromHours(1)}",
            $"--LocalAuthority:AwsRootSecret={AwsRootSecret}",
            "--LocalAuthority:Clients:aws-app:Name=AWS add-on target",
        ]);
        WamsBackend = await RunningApp.StartAsync(SampleBackendApp.Build,
            [$"--SampleBackend:MasterKey={WamsMasterKey}", $"--SampleBackend:Database={Path.Combine(state, "todo.db")}", $"--SampleBackend:AwsRootSecret={AwsRootSecret}"]);
        Recorder = await RecordingBackend.StartAsync();

        ConfigPath = GatewayConfig.Write(Config());
        Gateway = await StartGatewayAsync();
    }

    /// <summary>The gateway configuration file every gateway of this fixture runs with.</summary>
    public string ConfigPath { get; private set; } = null!;

    /// <summary>Starts a gateway with the fixture's configuration, in the fixture's host; the caller disposes it.</summary>
    /// <param name="services">More services, after the fixture's own.</param>
    /// <param name="args">More command-line arguments.</param>
    public Task<RunningApp> StartGatewayAsync(Action<IServiceCollection>? services = null, params string[] args) => RunningApp.StartAsync(
        all => BuildGateway(all, collection =>
        {
            if (Time is not null)
            {
                collection.Replace(ServiceDescriptor.Singleton(Time));
            }

            collection.AddLogging(logging => logging.AddProvider(Logs).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace));
            services?.Invoke(collection);
        }),
        [$"--config={ConfigPath}", .. args]);

    /// <summary>The host the gateway runs in: the standalone one here, a team's own in <see cref="Hosting.ForeignHostFixture"/>.</summary>
    protected virtual WebApplication BuildGateway(string[] args, Action<IServiceCollection> configureServices) => GatewayApp.Build(args, configureServices);

    public virtual async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Recorder.DisposeAsync();
        await WamsBackend.DisposeAsync();
        await Authority.DisposeAsync();
    }

    /// <summary>Signs a user in at the local authority: (access token for https://api.test, ID token for the client).</summary>
    public async Task<(string AccessToken, string IdToken)> SignInAsync(string user = "alice", string clientId = "todo-mobile", string scope = "openid read:todo")
    {
        using var response = await Authority.Client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = clientId, ["username"] = user, ["password"] = user + "-pw",
            ["audience"] = "https://api.test", ["scope"] = scope,
        }));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("id_token").GetString()!);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(Gateway, method, path, token, body, configure);

    public static async Task<HttpResponseMessage> SendAsync(RunningApp gateway, HttpMethod method, string path, string token, object? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        configure?.Invoke(request);
        return await gateway.Client.SendAsync(request);
    }

    public async Task<JsonElement> StatsAsync() => await Authority.Client.GetFromJsonAsync<JsonElement>("/admin/stats");

    public async Task<int> DelegationsAsync() => (await StatsAsync()).GetProperty("delegations").GetInt32();

    public async Task<int> TokenExchangesAsync() => (await StatsAsync()).GetProperty("tokenExchanges").GetInt32();

    public async Task<int> StsCallsAsync() => (await StatsAsync()).GetProperty("sts").GetInt32();

    public async Task SetStsErrorAsync(string code)
    {
        using var response = await Authority.Client.PostAsync($"/admin/sts-error/{code}", null);
        response.EnsureSuccessStatusCode();
    }

    public async Task SetFailureModeAsync(string mode)
    {
        using var response = await Authority.Client.PostAsync($"/admin/failure-mode/{mode}", null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The local authority's token lifetime (its default is an hour).</summary>
    public TimeSpan? TokenLifetime { get; init; }

    protected virtual JsonObject Config()
    {
        var authority = Authority.Address.AbsoluteUri;
        var config = GatewayConfig.Default(authority, Recorder.Address);
        var gateway = config[nameof(Gateway)]!.AsObject();
        gateway["Authentication"]!["Audiences"] = new JsonArray("https://api.test", "todo-mobile", "todo-desktop");
        gateway["Delegation"] = new JsonObject { ["Timeout"] = "00:00:01" };
        var apis = gateway["Apis"]!.AsObject();
        apis["wams-delegated"] = new JsonObject { ["Exchange"] = "Auth0Delegation", ["Target"] = "wams-app", ["ApiType"] = "wams", ["Inject"] = "X-ZUMO-AUTH" };
        apis["wams-minted"] = new JsonObject { ["Exchange"] = "WamsMint", ["MasterKey"] = WamsMasterKey, ["Audience"] = "wams-app", ["Inject"] = "X-ZUMO-AUTH", ["Lifetime"] = "00:10:00" };
        apis["app-delegated"] = new JsonObject { ["Exchange"] = "Auth0Delegation", ["Target"] = "other-app", ["ApiType"] = "app" };
        apis["orders"] = new JsonObject { ["Exchange"] = "TokenExchange", ["ClientId"] = "gateway", ["ClientSecret"] = GatewaySecret, ["Audience"] = "https://orders.test" };
        apis["orders-body"] = new JsonObject
        {
            ["Exchange"] = "TokenExchange", ["ClientId"] = "gateway", ["ClientSecret"] = GatewaySecret, ["Audience"] = "https://orders.test",
            ["ClientAuthentication"] = "Body", ["TokenEndpoint"] = authority + "oauth/token",
        };
        apis["dead-endpoint"] = new JsonObject
        {
            ["Exchange"] = "Auth0Delegation", ["Target"] = "other-app", ["Endpoint"] = $"http://127.0.0.1:{LoopbackPort.Closed()}/delegation",
        };
        JsonObject Aws(string service, JsonObject? extra = null)
        {
            var api = new JsonObject
            {
                ["Exchange"] = "AwsSts", ["RoleArn"] = RoleArn, ["StsEndpoint"] = authority, ["Region"] = "us-east-1", ["Service"] = service,
            };
            foreach (var (key, value) in extra ?? [])
            {
                api[key] = value?.DeepClone();
            }

            return api;
        }

        apis["aws-api"] = Aws("execute-api");
        apis["aws-files"] = Aws("s3");
        apis["aws-small"] = Aws("execute-api", new JsonObject { ["MaxSignedBodyBytes"] = 16 });
        apis["aws-small-files"] = Aws("s3", new JsonObject { ["MaxSignedBodyBytes"] = 16 });
        apis["aws-delegated"] = Aws("execute-api", new JsonObject
        {
            ["Source"] = "Auth0Delegation", ["Target"] = "aws-app", ["PrincipalArn"] = "arn:aws:iam::123456789012:saml-provider/auth0",
        });
        apis["aws-dead"] = Aws("execute-api", new JsonObject { ["StsEndpoint"] = $"http://127.0.0.1:{LoopbackPort.Closed()}/" });
        apis["aws-recorded"] = Aws("execute-api");
        apis["desktop-only"] = new JsonObject { ["Exchange"] = "None", ["AllowedClients"] = new JsonArray("todo-desktop") };
        apis["scoped"] = new JsonObject { ["Exchange"] = "None", ["RequiredScopes"] = new JsonArray("read:todo", "write:todo") };
        apis["admin-delegated"] = new JsonObject
        {
            ["Exchange"] = "Auth0Delegation", ["Target"] = "other-app", ["RequiredScopes"] = new JsonArray("admin:todo"),
            ["AllowedClients"] = new JsonArray("todo-mobile"),
        };

        var routes = config["ReverseProxy"]!["Routes"]!.AsObject();
        var clusters = config["ReverseProxy"]!["Clusters"]!.AsObject();
        clusters["wams"] = new JsonObject { ["Destinations"] = new JsonObject { ["d1"] = new JsonObject { ["Address"] = WamsBackend.Address.AbsoluteUri } } };
        foreach (var (name, cluster) in new[]
        {
            ("wams-delegated", "wams"), ("wams-minted", "wams"), ("app-delegated", "backend"), ("orders", "backend"),
            ("orders-body", "backend"), ("dead-endpoint", "backend"), ("desktop-only", "backend"), ("scoped", "backend"), ("admin-delegated", "backend"),
        })
        {
            var route = GatewayConfig.Route($"/{name}/{{**rest}}", name, cluster: cluster);
            route["Transforms"] = new JsonArray(new JsonObject { ["PathRemovePrefix"] = $"/{name}" });
            routes[name] = route;
        }

        foreach (var (name, prefix) in new[]
        {
            ("aws-api", "/aws/execute-api"), ("aws-files", "/aws/s3/user-files"), ("aws-small", "/aws/execute-api"),
            ("aws-small-files", "/aws/s3/user-files"), ("aws-delegated", "/aws/execute-api"), ("aws-dead", "/aws/execute-api"),
        })
        {
            var route = GatewayConfig.Route($"/{name}/{{**rest}}", name, cluster: "wams");
            route["Transforms"] = new JsonArray(new JsonObject { ["PathRemovePrefix"] = $"/{name}" }, new JsonObject { ["PathPrefix"] = prefix });
            routes[name] = route;
        }

        routes["aws-recorded"] = GatewayConfig.Route("/aws-recorded/{**rest}", "aws-recorded");

        // The WAMS APIs again, in front of the recorder: what the WAMS backend would receive,
        // credential included (its whoami shows only a fingerprint). Same API, same cache entry.
        foreach (var name in new[] { "wams-delegated", "wams-minted" })
        {
            routes[name + "-recorded"] = GatewayConfig.Route($"/{name}-recorded/{{**rest}}", name);
        }

        Customize?.Invoke(config);
        return config;
    }
}

/// <summary>Two gateways sharing a real redis-server: a fleet of one authority, its backends and two replicas.</summary>
public class FleetFixture : DelegationFixture
{
    /// <summary>The fleet's key-encryption key for the Data Protection key ring (Gateway:Redis:KeyRingKey).</summary>
    public static readonly string KeyRingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public FleetFixture()
    {
        Customize = config =>
        {
            config["Gateway"]!["Redis"] = new JsonObject
            {
                ["Configuration"] = Redis!.Configuration, ["KeyPrefix"] = "test:", ["KeyRingKey"] = KeyRingKey,
            };

            // The fleet's tests are about sharing, not failing providers: the default per-attempt
            // timeout, so two busy cores running the whole suite never turn an exchange into a 503.
            config["Gateway"]!["Delegation"]!["Timeout"] = "00:00:05";
        };
    }

    public RedisServer Redis { get; private set; } = null!;

    public RunningApp SecondGateway { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        await base.InitializeAsync();
        SecondGateway = await StartGatewayAsync();
    }

    public override async Task DisposeAsync()
    {
        await SecondGateway.DisposeAsync();
        await base.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>A delegation fixture whose circuit breaker never opens, for tests that fail the authority on purpose many times.</summary>
public sealed class NoBreakerDelegationFixture : DelegationFixture
{
    public NoBreakerDelegationFixture()
    {
        Customize = config => config["Gateway"]!["Delegation"]!["BreakerMinimumThroughput"] = 100_000;
    }
}
