using System.Text;
using Microsoft.Extensions.Options;
using WamsGateway.Authentication;
using WamsGateway.Exchanges;
using Yarp.ReverseProxy.Configuration;

namespace WamsGateway.Configuration;

/// <summary>
/// What a validated configuration does, as a table an operator reads before deploying it: each API with its exchange
/// kind, the routes that name it and its policies; the routes that name no API; the start-up warnings.
/// </summary>
internal static class ConfigurationSummary
{
    public static void Write(IServiceProvider services, TextWriter output)
    {
        var options = services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value;
        var kinds = services.GetRequiredService<ExchangeKinds>();
        var routes = services.GetServices<IProxyConfigProvider>().SelectMany(p => p.GetConfig().Routes).ToList();
        var byApi = routes
            .Where(r => r.Metadata?.ContainsKey(RouteMetadata.Api) == true)
            .ToLookup(r => r.Metadata![RouteMetadata.Api], StringComparer.OrdinalIgnoreCase);
        var authorities = options.AuthorityNames.ToList();

        output.WriteLine($"Configuration is valid: {options.Apis.Count} API(s), {routes.Count} route(s), {authorities.Count} authorit{(authorities.Count == 1 ? "y" : "ies")} ({string.Join(", ", authorities)}).");
        output.WriteLine();

        var rows = new List<string[]> { new[] { "API", "EXCHANGE", "ROUTES", "POLICIES" } };
        foreach (var (name, api) in options.Apis.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            rows.Add([name, api.Exchange ?? "-", Routes(byApi[name]), ApiPolicies(api)]);
        }

        var unbound = routes.Where(r => r.Metadata?.ContainsKey(RouteMetadata.Api) != true).OrderBy(r => r.RouteId, StringComparer.Ordinal).ToList();
        if (unbound.Count > 0)
        {
            rows.Add(["(no API)", "-", Routes(unbound), "no exchange; identity headers only"]);
        }

        WriteTable(output, rows);

        var warnings = TenantWarnings.Find(options, kinds).Select(w => $"APIs {string.Join(", ", w.Apis)} exchange credentials and accept exactly the same audiences from authority {w.Authority}.")
            .Concat(TenantWarnings.AcceptingEveryTenant(options) is { Count: > 0 } every ? [$"APIs {string.Join(", ", every)} name no Authorities and take every tenant's tokens."] : [])
            .Concat(TenantWarnings.CredentialsAcceptedInbound(options, kinds).Select(w => $"API {w.Api} obtains credentials for audience {w.Audience}, which the gateway accepts inbound (authority {w.Authority})."))
            .ToList();
        if (warnings.Count > 0)
        {
            output.WriteLine();
            foreach (var warning in warnings)
            {
                output.WriteLine("warning: " + warning);
            }
        }
    }

    private static string Routes(IEnumerable<RouteConfig> routes)
    {
        var described = routes.OrderBy(r => r.RouteId, StringComparer.Ordinal).Select(RoutePolicies).ToList();
        return described.Count == 0 ? "(none)" : string.Join(", ", described);
    }

    /// <summary>The route's id and the policies YARP's own route settings give it (path, authorization, rate limit, CORS, timeout).</summary>
    private static string RoutePolicies(RouteConfig route)
    {
        var policies = new List<string>();
        if (route.Match.Path is { } path)
        {
            policies.Add(path);
        }

        if (route.AuthorizationPolicy is { } authorization)
        {
            policies.Add("authorization " + authorization);
        }

        if (route.RateLimiterPolicy is { } rateLimit)
        {
            policies.Add("rate limit " + rateLimit);
        }

        if (route.CorsPolicy is { } cors)
        {
            policies.Add("CORS " + cors);
        }

        if (route.TimeoutPolicy is { } timeout)
        {
            policies.Add("timeout " + timeout);
        }
        else if (route.Timeout is { } span)
        {
            policies.Add($"timeout {span:c}");
        }

        return $"{route.RouteId} ({string.Join("; ", policies)})";
    }

    private static string ApiPolicies(ApiOptions api)
    {
        var policies = new List<string>();
        void Add(string name, IEnumerable<string>? values)
        {
            if (values?.ToList() is { Count: > 0 } list)
            {
                policies.Add($"{name} {string.Join(", ", list)}");
            }
        }

        Add("clients", api.AllowedClients);
        Add("scopes", api.RequiredScopes);
        Add("authorities", api.Authorities);
        Add("audiences", api.Audiences);
        Add("rate limit", api.RateLimit is null ? null : [api.RateLimit]);
        Add("exchange limit", api.ExchangeRateLimit is null ? null : [api.ExchangeRateLimit]);
        Add("token header", api.TokenHeader is null ? null : [api.TokenHeader]);
        Add("actors", api.AllowedActors);
        if (api.Assertion is { } assertion)
        {
            policies.Add("assertion" + (assertion.Audience is { } audience ? " for " + audience : string.Empty) + (assertion.BindRequest ? ", bound" : string.Empty));
        }

        return policies.Count == 0 ? "any signed-in caller" : string.Join("; ", policies);
    }

    private static void WriteTable(TextWriter output, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var c = 0; c < row.Length; c++)
            {
                line.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            output.WriteLine(line.ToString().TrimEnd());
        }
    }
}
