using System.Text.Json.Nodes;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Support;

/// <summary>A gateway configuration file for one test, written where <c>--config</c> can read it.</summary>
public static class GatewayConfig
{
    public const string Audience = "https://api.test";

    /// <summary>
    /// Routes to one backend: <c>/none</c> (Exchange None), <c>/pass</c> (Passthrough), <c>/plain</c>
    /// (no Api metadata) and <c>/anon</c> (anonymous).
    /// </summary>
    public static JsonObject Default(string authority, Uri backend) => new()
    {
        ["Gateway"] = new JsonObject
        {
            ["Authentication"] = new JsonObject
            {
                ["Authority"] = authority,
                ["Audiences"] = new JsonArray(Audience, "client-a"),
                ["RequireHttpsMetadata"] = false,
            },
            ["Apis"] = new JsonObject
            {
                ["echo-none"] = new JsonObject { ["Exchange"] = "None" },
                ["echo-pass"] = new JsonObject { ["Exchange"] = "Passthrough" },
            },
        },
        ["ReverseProxy"] = new JsonObject
        {
            ["Routes"] = new JsonObject
            {
                ["none"] = Route("/none/{**rest}", "echo-none"),
                ["pass"] = Route("/pass/{**rest}", "echo-pass"),
                ["plain"] = Route("/plain/{**rest}", null),
                ["anon"] = Route("/anon/{**rest}", null, anonymous: true),
            },
            ["Clusters"] = new JsonObject
            {
                ["backend"] = new JsonObject
                {
                    ["Destinations"] = new JsonObject { ["d1"] = new JsonObject { ["Address"] = backend.AbsoluteUri } },
                },
            },
        },
    };

    public static JsonObject Route(string path, string? api, bool anonymous = false, string cluster = "backend")
    {
        var route = new JsonObject { ["ClusterId"] = cluster, ["Match"] = new JsonObject { ["Path"] = path } };
        if (api is not null)
        {
            route["Metadata"] = new JsonObject { ["Api"] = api };
        }

        if (anonymous)
        {
            route["AuthorizationPolicy"] = "anonymous";
        }

        return route;
    }

    public static string Write(JsonNode config)
    {
        var path = Path.Combine(TempDirectory.Create("gateway-config"), "gateway.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }
}
