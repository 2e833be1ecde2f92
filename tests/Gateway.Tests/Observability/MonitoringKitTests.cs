using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Observability;

/// <summary>
/// The alert rules and the dashboard in deploy/monitoring name only metrics a running gateway exports (or, for one that
/// appears only under a condition, one docs/operations.md lists), and docs/operations.md's metrics table names each.
/// </summary>
public sealed partial class MonitoringKitTests : IClassFixture<MonitoringKitTests.MonitoredFleet>
{
    private readonly MonitoredFleet _f;

    public MonitoringKitTests(MonitoredFleet fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task RulesAndDashboard_NameOnlyMetricsALiveGatewayExports_AndTheOperationsTableLists()
    {
        // Exercise what the kit watches: exchanges (hit, miss, failure), a bad token, a rate-limit refusal.
        var (_, idToken) = await _f.SignInAsync();
        foreach (var path in new[] { "/app-delegated/kit", "/app-delegated/kit", "/dead-endpoint/kit" })
        {
            using var response = await _f.SendAsync(HttpMethod.Get, path, idToken);
        }

        using (var bad = await _f.SendAsync(HttpMethod.Get, "/app-delegated/kit", idToken[..^3] + "abc"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var limited = await _f.SendAsync(HttpMethod.Get, "/limited/kit", idToken);
        }

        var scrape = await Eventually.ReturnsAsync(() => Scrape.ReadAsync(_f.Gateway.Client), s => s.Types.ContainsKey("wamsgateway_rate_limited_total"));
        var exported = scrape.Types.Keys.ToHashSet(StringComparer.Ordinal);
        var documented = DocumentedMetrics();
        var referenced = ReferencedMetrics();
        Assert.NotEmpty(referenced);

        var unknown = referenced.Where(name => name != "up" && !exported.Contains(Family(name, exported)) && !documented.Contains(Family(name, documented))).ToList();
        Assert.True(unknown.Count == 0, "named by the rules or dashboard, neither exported nor documented: " + string.Join(", ", unknown));

        var undocumented = referenced.Where(name => !documented.Contains(Family(name, documented))).ToList();
        Assert.True(undocumented.Count == 0, "named by the rules or dashboard, missing from docs/operations.md's metrics table: " + string.Join(", ", undocumented));

        // Every metric of the gateway's own meter is documented, whatever the kit uses.
        var ownUndocumented = exported.Where(name => name.StartsWith("wamsgateway_", StringComparison.Ordinal) && !documented.Contains(name)).ToList();
        Assert.True(ownUndocumented.Count == 0, "exported, missing from docs/operations.md's metrics table: " + string.Join(", ", ownUndocumented));
    }

    /// <summary>A sample's name as its family is listed: a histogram's <c>_bucket</c>, <c>_count</c> and <c>_sum</c> belong to the histogram.</summary>
    private static string Family(string name, HashSet<string> families)
    {
        foreach (var suffix in new[] { "_bucket", "_count", "_sum" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && families.Contains(name[..^suffix.Length]))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private static HashSet<string> DocumentedMetrics()
    {
        var lines = File.ReadAllLines(Repository.File("docs", "operations.md"));
        return lines.Select(line => TableRow().Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The metric names in every rule's <c>expr</c> and every dashboard query.</summary>
    private static List<string> ReferencedMetrics()
    {
        var expressions = new List<string>();
        foreach (var line in File.ReadAllLines(Repository.File("deploy", "monitoring", "wamsgateway.rules.yml")))
        {
            if (RuleExpr().Match(line) is { Success: true } match)
            {
                expressions.Add(match.Groups[1].Value);
            }
        }

        // Multi-line exprs (expr: | or >) continue on the lines below; take every indented line of the file's exprs.
        var text = File.ReadAllText(Repository.File("deploy", "monitoring", "wamsgateway.rules.yml"));
        expressions.AddRange(BlockExpr().Matches(text).Select(m => m.Groups[1].Value));

        var dashboard = JsonNode.Parse(File.ReadAllText(Repository.File("deploy", "monitoring", "wamsgateway-dashboard.json")))!;
        expressions.AddRange(Queries(dashboard));

        return expressions.SelectMany(MetricNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every panel target's <c>expr</c> and every variable's <c>query</c> or <c>definition</c>, at any depth.</summary>
    private static IEnumerable<string> Queries(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key is "expr" or "query" or "definition" && p.Value is JsonValue v && v.TryGetValue<string>(out var text)
            ? [text]
            : Queries(p.Value)),
        JsonArray a => a.SelectMany(Queries),
        _ => [],
    };

    private static IEnumerable<string> MetricNames(string expression)
    {
        // Label matchers, grouping clauses and strings name labels and values, not metrics.
        var stripped = Strings().Replace(expression, " ");
        stripped = Matchers().Replace(stripped, " ");
        stripped = Grouping().Replace(stripped, " ");
        return Identifier().Matches(stripped).Select(m => m.Value).Where(name => name == "up" || KnownPrefix().IsMatch(name));
    }

    [GeneratedRegex(@"^\|\s*`([a-z_:][a-z0-9_:]*)`")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"^\s*expr:\s*(?![|>])(.+)$")]
    private static partial Regex RuleExpr();

    [GeneratedRegex(@"expr:\s*[|>][-+]?\s*\n((?:[ \t]+.*\n?)+)")]
    private static partial Regex BlockExpr();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w$.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^(wamsgateway|http|dotnet|kestrel|aspnetcore|process)_")]
    private static partial Regex KnownPrefix();

    /// <summary>The fleet of two replicas over Redis, with a one-request rate limit on <c>/limited</c>.</summary>
    public sealed class MonitoredFleet : FleetFixture
    {
        public MonitoredFleet()
        {
            var fleet = Customize!;
            Customize = config =>
            {
                fleet(config);
                var gateway = config["Gateway"]!.AsObject();
                gateway["RateLimits"] = new JsonObject
                {
                    ["one"] = new JsonObject { ["PartitionBy"] = "User", ["PermitLimit"] = 1, ["Window"] = "00:10:00" },
                };
                gateway["Apis"]!["limited"] = new JsonObject { ["Exchange"] = "None", ["RateLimit"] = "one" };
                config["ReverseProxy"]!["Routes"]!["limited"] = GatewayConfig.Route("/limited/{**rest}", "limited");
            };
        }
    }
}
