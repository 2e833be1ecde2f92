using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using WamsGateway.Authentication;
using WamsGateway.Caching;
using WamsGateway.Configuration;
using WamsGateway.Exchanges;
using Yarp.ReverseProxy;

namespace WamsGateway.State;

/// <summary>
/// What the gateway is doing now, as one JSON document for a dashboard or a script (docs/dashboard.md): YARP's routes as
/// served, the APIs, the authorities and their keys, Redis, and the configuration's state. It never holds a secret: of a
/// client secret, master key or any setting marked <see cref="SecretAttribute"/> (or named as one: its name ends in Secret,
/// Key, Password, Passphrase, Token or Credential(s)), only whether it is set.
/// </summary>
public sealed class WamsGatewayState
{
    /// <summary>The most problems of a refused reload the state lists (all of them are logged; <c>problemCount</c> says how many).</summary>
    public const int MaxProblems = 100;

    // A setting named as a secret is (ClientSecret, ApiKey, AccessToken, Password); one that only mentions a word is not
    // (TokenEndpoint, SubjectTokenType, KeyId): a kind marks any other secret with [Secret].
    private static readonly string[] SecretNameEndings = ["secret", "key", "password", "passphrase", "token", "credential", "credentials"];
    private readonly IServiceProvider _services;
    private GatewayCounts? _counts;

    internal WamsGatewayState(IServiceProvider services)
    {
        _services = services;
    }

    /// <summary>
    /// Starts the counts <see cref="Snapshot"/> reports (requests by route and status class, refusals by reason, exchanges by
    /// API and outcome, rate-limit refusals by policy), from now on; the dashboard starts them when it is mapped. Until then a
    /// snapshot has no counts, and requests pay nothing for them.
    /// </summary>
    public void CountFromNow() =>
        Interlocked.CompareExchange(ref _counts, _services.GetRequiredService<GatewayCounts>(), null);

    /// <summary>The state now.</summary>
    public JsonObject Snapshot()
    {
        var catalog = _services.GetRequiredService<ApiCatalog>();
        var snapshot = catalog.Current;
        var monitor = _services.GetRequiredService<GatewayConfigurationMonitor>();
        var options = monitor.CurrentValue;
        var counts = Volatile.Read(ref _counts);
        var routes = Routes(counts);
        return new JsonObject
        {
            ["version"] = Version(),
            ["time"] = _services.GetRequiredService<TimeProvider>().GetUtcNow().ToString("o"),
            ["configuration"] = new JsonObject
            {
                ["generation"] = snapshot.Generation,
                ["appliedGeneration"] = catalog.AppliedGeneration,
                // A valid edit YARP has not loaded routes for (its own log says why: a value it could not convert): the
                // routes it serves keep the configuration they were loaded with.
                ["waitingForRoutes"] = catalog.AppliedGeneration < snapshot.Generation && !monitor.RoutesRefused,
                ["reloadRefused"] = monitor.LastRefused,
                ["routesRefused"] = monitor.RoutesRefused,
                // Masked as they were logged (ConfigurationRedaction.Problems).
                ["problems"] = new JsonArray([.. monitor.RefusedProblems.Take(MaxProblems).Select(p => (JsonNode)p)]),
                ["problemCount"] = monitor.RefusedProblems.Count,
            },
            ["routes"] = new JsonArray([.. routes.Select(r => (JsonNode)r.Json)]),
            ["apis"] = new JsonArray([.. snapshot.Apis.Values.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
                .Select(api => (JsonNode)Api(api, routes.Where(r => string.Equals(r.Api, api.Name, StringComparison.OrdinalIgnoreCase)).Select(r => r.Id), counts))]),
            ["authorities"] = new JsonArray([.. _services.GetRequiredService<GatewayAuthorities>().All.Select(a => (JsonNode)Authority(a))]),
            ["redis"] = Redis(options),
            ["counts"] = counts is null ? null : new JsonObject
            {
                ["authFailures"] = Counts(counts.Group("authFailures").GetValueOrDefault("all")),
                ["rateLimited"] = Counts(counts.Group("rateLimited").GetValueOrDefault("all")),
            },
        };
    }

    private static JsonObject? Counts(IReadOnlyDictionary<string, long>? counts) =>
        counts is null ? new JsonObject() : new JsonObject([.. counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value))]);

    private List<(string Id, string? Api, JsonObject Json)> Routes(GatewayCounts? counts)
    {
        var requests = counts?.Group("routes");
        var proxy = _services.GetRequiredService<IProxyStateLookup>();
        var routes = new List<(string, string?, JsonObject)>();
        foreach (var route in proxy.GetRoutes().OrderBy(r => r.Config.RouteId, StringComparer.Ordinal))
        {
            var config = route.Config;
            var api = config.Metadata?.GetValueOrDefault(RouteMetadata.Api);
            var destinations = proxy.TryGetCluster(config.ClusterId ?? string.Empty, out var cluster)
                ? cluster.Destinations.Values.Select(d => (JsonNode)ConfigurationRedaction.Urls(d.Model.Config.Address)).ToArray()
                : [];
            routes.Add((config.RouteId, api, new JsonObject
            {
                ["id"] = config.RouteId,
                ["match"] = new JsonObject
                {
                    ["path"] = config.Match.Path,
                    ["hosts"] = Strings(config.Match.Hosts),
                    ["methods"] = Strings(config.Match.Methods),
                },
                ["api"] = api,
                ["cluster"] = config.ClusterId,
                ["destinations"] = new JsonArray(destinations),
                ["authorizationPolicy"] = config.AuthorizationPolicy,
                ["rateLimiterPolicy"] = config.RateLimiterPolicy,
                ["corsPolicy"] = config.CorsPolicy,
                ["timeoutPolicy"] = config.TimeoutPolicy,
                ["timeout"] = config.Timeout?.ToString("c"),
                ["requests"] = requests is null ? null : Counts(requests.GetValueOrDefault(config.Match.Path ?? string.Empty)),
            }));
        }

        return routes;
    }

    private static JsonObject Api(ApiDefinition api, IEnumerable<string> routes, GatewayCounts? counts)
    {
        var o = api.Options;
        return new JsonObject
        {
            ["name"] = api.Name,
            ["exchange"] = api.KindName,
            ["allowedClients"] = Strings(o.AllowedClients),
            ["requiredScopes"] = Strings(o.RequiredScopes),
            ["authorities"] = Strings(o.Authorities),
            ["audiences"] = Strings(o.Audiences),
            ["allowedActors"] = Strings(o.AllowedActors),
            ["tokenHeader"] = o.TokenHeader,
            ["rateLimit"] = o.RateLimit,
            ["exchangeRateLimit"] = o.ExchangeRateLimit,
            ["assertion"] = o.Assertion is { } assertion
                ? new JsonObject { ["audience"] = assertion.Audience, ["bindRequest"] = assertion.BindRequest, ["header"] = assertion.Header ?? Assertions.ApiAssertionSettings.DefaultHeader }
                : null,
            ["settings"] = Settings(api.Settings),
            ["routes"] = new JsonArray([.. routes.Select(r => (JsonNode)r)]),
            ["exchanges"] = counts is null ? null : Counts(counts.Group("apis").GetValueOrDefault(api.Name)),
        };
    }

    /// <summary>The kind's settings: each public value as text, a secret only as whether it is set.</summary>
    private static JsonObject Settings(object settings)
    {
        var json = new JsonObject();
        foreach (var property in settings.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
        {
            var value = property.GetValue(settings);
            json[property.Name] = IsSecret(property)
                ? new JsonObject { ["set"] = value is string text ? text.Length > 0 : value is not null }
                : value switch
                {
                    null => null,
                    string plain => ConfigurationRedaction.Urls(plain),
                    bool or int or long or double => JsonValue.Create(value)!.DeepClone(),
                    IEnumerable<string> list => Strings(list.Select(ConfigurationRedaction.Urls)),
                    _ => ConfigurationRedaction.Urls(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty),
                };
        }

        return json;
    }

    private static bool IsSecret(PropertyInfo property) =>
        property.GetCustomAttribute<SecretAttribute>() is not null
        || SecretNameEndings.Any(ending => property.Name.EndsWith(ending, StringComparison.OrdinalIgnoreCase));

    private static JsonObject Authority(GatewayAuthority authority)
    {
        var metadata = authority.Metadata;
        return new JsonObject
        {
            ["name"] = authority.Name,
            ["issuer"] = ConfigurationRedaction.Urls(authority.Address),
            ["audiences"] = Strings(authority.Settings.Audiences),
            ["keyIds"] = new JsonArray([.. (metadata.Current?.SigningKeys ?? []).Select(k => (JsonNode?)k.KeyId).OfType<JsonNode>()]),
            ["lastRefreshed"] = metadata.LastRefreshed?.ToString("o"),
            ["status"] = metadata.Current is null ? "Unhealthy" : metadata.LastRefreshFailed ? "Degraded" : "Healthy",
        };
    }

    private JsonObject Redis(WamsGatewayOptions options)
    {
        var configured = options.Redis.Configuration is not null;
        var uses = new JsonArray();
        if (configured)
        {
            uses.Add("cache");
            uses.Add("key-ring");
            if (options.RateLimits.Values.Any(l => l.Scope == TrafficPolicy.RateLimitScope.Fleet))
            {
                uses.Add("rate-limits");
            }

            if (options.Assertion.Issuer is not null)
            {
                uses.Add("assertion-keys");
            }
        }

        return new JsonObject
        {
            ["configured"] = configured,
            ["connected"] = configured && _services.GetRequiredService<RedisConnection>().Multiplexer.IsConnected,
            ["keyRingProtected"] = options.Redis.KeyRingProtected,
            ["uses"] = uses,
        };
    }

    private static JsonArray? Strings(IEnumerable<string>? values) => values is null ? null : new JsonArray([.. values.Select(v => (JsonNode)v)]);

    private static string Version() =>
        typeof(WamsGatewayState).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
