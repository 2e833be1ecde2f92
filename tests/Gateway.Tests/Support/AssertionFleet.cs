using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Support;

/// <summary>
/// A test authority, the sample backend verifying the gateway's assertions with stock JwtBearer, a
/// recording backend, and one or more gateway replicas, all on loopback sockets. Every replica has the
/// first replica's address as its assertion issuer, as a fleet behind one address would.
/// </summary>
public sealed class AssertionFleet : IAsyncDisposable
{
    public const string Audience = "https://orders.test";
    public const string KeyLifetime = "01:00:00";

    private AssertionFleet(TestAuthority authority, RecordingBackend recorder, RunningApp backend, string issuer)
    {
        Authority = authority;
        Recorder = recorder;
        Backend = backend;
        Issuer = issuer;
    }

    public TestAuthority Authority { get; }

    public RecordingBackend Recorder { get; }

    /// <summary>The sample backend, <c>SampleBackend:GatewayAuthority</c> set to <see cref="Issuer"/>.</summary>
    public RunningApp Backend { get; }

    public string Issuer { get; }

    public List<RunningApp> Gateways { get; } = [];

    /// <summary>Each replica's clock, starting at the real time, or just past it where a key period ends soon.</summary>
    public List<FakeTimeProvider> Clocks { get; } = [];

    public TokenFactory Tokens => Authority.Tokens(GatewayConfig.Audience);

    /// <param name="replicas">How many gateways.</param>
    /// <param name="redis">Shared by the replicas when given.</param>
    /// <param name="customize">Changes each replica's configuration.</param>
    /// <param name="logs">Receives every replica's log lines.</param>
    public static async Task<AssertionFleet> StartAsync(int replicas = 1, RedisServer? redis = null, Action<JsonObject>? customize = null, CapturingLoggerProvider? logs = null)
    {
        var authority = await TestAuthority.StartAsync();
        var recorder = await RecordingBackend.StartAsync();
        var ports = Enumerable.Range(0, replicas).Select(_ => LoopbackPort.Free()).ToList();
        var issuer = $"http://127.0.0.1:{ports[0]}/";
        var backend = await RunningApp.StartAsync(SampleBackend.SampleBackendApp.Build,
        [
            "--SampleBackend:MasterKey=orders-master-key",
            $"--SampleBackend:Database={Path.Combine(TempDirectory.Create("assertion-backend"), "todo.db")}",
            $"--SampleBackend:GatewayAuthority={issuer}",
            $"--SampleBackend:GatewayAudience={Audience}",
        ]);
        var stack = new AssertionFleet(authority, recorder, backend, issuer);
        // Tests move the clocks by up to twenty minutes within a key period: start where one has that
        // much left (a few minutes ahead of real time at most, which neither tokens nor assertions mind).
        var start = DateTimeOffset.UtcNow;
        var schedule = new WamsGateway.Assertions.AssertionKeySchedule(TimeSpan.Parse(KeyLifetime, System.Globalization.CultureInfo.InvariantCulture));
        var nextPeriod = schedule.Start(schedule.GenerationAt(start) + 1);
        if (nextPeriod - start < TimeSpan.FromMinutes(20))
        {
            start = nextPeriod + TimeSpan.FromMinutes(1);
        }

        foreach (var port in ports)
        {
            var clock = new FakeTimeProvider(start);
            var config = Config(authority.Issuer, recorder.Address, backend.Address, issuer, redis);
            customize?.Invoke(config);
            stack.Clocks.Add(clock);
            stack.Gateways.Add(await RunningApp.StartAsync(
                args => GatewayApp.Build(args, services =>
                {
                    services.AddSingleton<TimeProvider>(clock);
                    if (logs is not null)
                    {
                        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
                    }
                }),
                [$"--config={GatewayConfig.Write(config)}"],
                urls: $"http://127.0.0.1:{port}"));
        }

        return stack;
    }

    /// <summary>
    /// The default routes, plus: <c>/orders</c> and <c>/orders-bound</c> to the sample backend (unbound and
    /// bound assertions for <see cref="Audience"/>), <c>/other</c> to it with another audience, and
    /// <c>/rec</c> and <c>/rec-bound</c> to the recording backend, to see the assertions themselves.
    /// </summary>
    public static JsonObject Config(string authority, Uri recorder, Uri backend, string issuer, RedisServer? redis)
    {
        var config = GatewayConfig.Default(authority, recorder);
        var gateway = config["Gateway"]!.AsObject();
        gateway["Assertion"] = new JsonObject { ["Issuer"] = issuer, ["KeyLifetime"] = KeyLifetime };
        if (redis is not null)
        {
            gateway["Redis"] = new JsonObject { ["Configuration"] = redis.Configuration, ["KeyPrefix"] = "test:", ["KeyRingKey"] = FleetFixture.KeyRingKey };
        }

        var apis = gateway["Apis"]!.AsObject();
        apis["orders"] = Api(Audience, bind: false);
        apis["orders-bound"] = Api(Audience, bind: true);
        apis["other"] = Api("https://other.test", bind: false);
        apis["rec"] = Api(Audience, bind: false);
        apis["rec-bound"] = Api(Audience, bind: true);

        var proxy = config["ReverseProxy"]!.AsObject();
        var routes = proxy["Routes"]!.AsObject();
        foreach (var (name, cluster) in new[] { ("orders", "sample"), ("orders-bound", "sample"), ("other", "sample"), ("rec", "backend"), ("rec-bound", "backend") })
        {
            var route = GatewayConfig.Route($"/{name}/{{**rest}}", name, cluster: cluster);
            route["Transforms"] = new JsonArray(new JsonObject { ["PathRemovePrefix"] = $"/{name}" });
            routes[name] = route;
        }

        proxy["Clusters"]!["sample"] = new JsonObject
        {
            ["Destinations"] = new JsonObject { ["d1"] = new JsonObject { ["Address"] = backend.AbsoluteUri } },
        };
        return config;
    }

    private static JsonObject Api(string audience, bool bind) => new()
    {
        ["Exchange"] = "None",
        ["Assertion"] = new JsonObject { ["Audience"] = audience, ["BindRequest"] = bind },
    };

    /// <summary>A caller token valid for three hours of real time, so replicas' clocks can move past a key period.</summary>
    public string LongLivedToken(string sub = "auth0|alice")
    {
        var claims = Tokens.Claims(sub);
        claims["exp"] = DateTimeOffset.UtcNow.AddHours(3).ToUnixTimeSeconds();
        return Tokens.Sign(claims);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in Gateways)
        {
            await gateway.DisposeAsync();
        }

        await Backend.DisposeAsync();
        await Recorder.DisposeAsync();
        await Authority.DisposeAsync();
    }
}
