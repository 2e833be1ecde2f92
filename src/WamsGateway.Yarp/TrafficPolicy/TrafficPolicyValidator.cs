using System.Globalization;
using WamsGateway.Configuration;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// The checks on <c>Gateway:RateLimits</c>, <c>Gateway:Cors</c>, <c>Gateway:Timeouts</c>, every API's <c>RateLimit</c>
/// and <c>ExchangeRateLimit</c>, and the names routes give in <c>RateLimiterPolicy</c>, <c>CorsPolicy</c> and
/// <c>TimeoutPolicy</c>: each problem names its key.
/// </summary>
internal sealed class TrafficPolicyValidator : GatewaySettingsValidator
{
    /// <summary>What YARP takes, besides a policy's name, to switch a route's policy off.</summary>
    public const string Disable = "disable";

    private const int MaxNameLength = 64;

    protected override void Validate(WamsGatewayOptions options, List<string> problems)
    {
        foreach (var (name, limit) in options.RateLimits)
        {
            ValidateRateLimit($"{WamsGatewayOptions.SectionName}:RateLimits:{name}", name, limit, options.Redis.Configuration is not null, problems);
        }

        foreach (var (name, cors) in options.Cors)
        {
            ValidateCors($"{WamsGatewayOptions.SectionName}:Cors:{name}", cors, problems);
        }

        foreach (var (name, timeout) in options.Timeouts)
        {
            if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromHours(1))
            {
                problems.Add($"{WamsGatewayOptions.SectionName}:Timeouts:{name}: {timeout.ToString("c", CultureInfo.InvariantCulture)} is outside 00:00:00.001 to 01:00:00.");
            }
        }

        foreach (var (api, settings) in options.Apis)
        {
            var key = $"{WamsGatewayOptions.SectionName}:Apis:{api}";
            RequireRateLimit(options, $"{key}:RateLimit", settings.RateLimit, problems);
            RequireRateLimit(options, $"{key}:ExchangeRateLimit", settings.ExchangeRateLimit, problems);
        }
    }

    /// <summary>A route's <c>RateLimiterPolicy</c>, <c>CorsPolicy</c> and <c>TimeoutPolicy</c> name policies the gateway defines (or <c>disable</c>).</summary>
    public static void ValidateRoute(WamsGatewayOptions options, Yarp.ReverseProxy.Configuration.RouteConfig route, List<string> problems)
    {
        var key = $"ReverseProxy:Routes:{route.RouteId}";
        Require(route.RateLimiterPolicy, options.RateLimits.Keys, $"{key}:RateLimiterPolicy", $"{WamsGatewayOptions.SectionName}:RateLimits", problems);
        Require(route.CorsPolicy, options.Cors.Keys, $"{key}:CorsPolicy", $"{WamsGatewayOptions.SectionName}:Cors", problems);
        Require(route.TimeoutPolicy, options.Timeouts.Keys, $"{key}:TimeoutPolicy", $"{WamsGatewayOptions.SectionName}:Timeouts", problems);
        if (route.Timeout is not null && route.TimeoutPolicy is not null)
        {
            problems.Add($"{key}: set Timeout or TimeoutPolicy, not both.");
        }
    }

    private static void Require(string? name, IEnumerable<string> defined, string key, string section, List<string> problems)
    {
        if (name is null || name.Equals(Disable, StringComparison.OrdinalIgnoreCase) || defined.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        var known = defined.Order(StringComparer.Ordinal).ToList();
        problems.Add($"{key}: '{name}' is not defined under {section}" + (known.Count > 0 ? $"; defined: {string.Join(", ", known)}." : "; none is."));
    }

    private static void RequireRateLimit(WamsGatewayOptions options, string key, string? name, List<string> problems) =>
        Require(name, options.RateLimits.Keys, key, $"{WamsGatewayOptions.SectionName}:RateLimits", problems);

    private static void ValidateRateLimit(string key, string name, RateLimitSettings limit, bool redis, List<string> problems)
    {
        if (!IsName(name))
        {
            problems.Add($"{key}: '{name}' is not a policy name; use letters, digits, '-', '_' and '.' (at most {MaxNameLength}): it is sent in RateLimit-Policy and used as a metric label.");
        }

        if (limit.PermitLimit is < 1 or > 1_000_000)
        {
            problems.Add($"{key}:PermitLimit: between 1 and 1000000.");
        }

        switch (limit.Algorithm)
        {
            case RateLimitAlgorithm.FixedWindow or RateLimitAlgorithm.SlidingWindow:
                if (limit.Window is not { } window || window < TimeSpan.FromMilliseconds(100) || window > TimeSpan.FromDays(1))
                {
                    problems.Add($"{key}:Window: required for {limit.Algorithm}, between 00:00:00.1 and 1.00:00:00.");
                }

                if (limit.Algorithm == RateLimitAlgorithm.SlidingWindow && limit.SegmentsPerWindow is < 1 or > 1000)
                {
                    problems.Add($"{key}:SegmentsPerWindow: between 1 and 1000.");
                }

                break;
            case RateLimitAlgorithm.TokenBucket:
                if (limit.TokensPerPeriod is not ({ } tokens and >= 1 and <= 1_000_000))
                {
                    problems.Add($"{key}:TokensPerPeriod: required for TokenBucket, between 1 and 1000000.");
                }

                if (limit.ReplenishmentPeriod is not { } period || period < TimeSpan.FromMilliseconds(100) || period > TimeSpan.FromDays(1))
                {
                    problems.Add($"{key}:ReplenishmentPeriod: required for TokenBucket, between 00:00:00.1 and 1.00:00:00.");
                }

                break;
        }

        if (limit.SyncInterval is { } sync)
        {
            if (limit.Scope != RateLimitScope.Fleet || limit.Algorithm != RateLimitAlgorithm.FixedWindow)
            {
                problems.Add($"{key}:SyncInterval: settles a Scope Fleet FixedWindow limit with Redis at an interval; this limit is {limit.Scope} {limit.Algorithm}. Remove it, or use Scope Fleet with Algorithm FixedWindow.");
            }
            else if (sync < TimeSpan.FromMilliseconds(10) || (limit.Window is { } window && sync >= window))
            {
                problems.Add($"{key}:SyncInterval: {sync.ToString("c", CultureInfo.InvariantCulture)} is outside 00:00:00.01 to the Window (exclusive); the fleet may admit more than the limit by what its replicas admit in one interval.");
            }
        }

        if (limit.Scope == RateLimitScope.Fleet && !redis)
        {
            problems.Add($"{key}:Scope: Fleet counts in Redis, and {WamsGatewayOptions.SectionName}:Redis:Configuration is not set; set it, or use Scope Replica (each replica then allows the limit).");
        }
    }

    private static void ValidateCors(string key, CorsSettings cors, List<string> problems)
    {
        if (cors.Origins is not { Count: > 0 })
        {
            problems.Add($"{key}:Origins: list the origins browsers may call from (https://app.example.com), or '*' for any.");
        }

        foreach (var origin in cors.Origins ?? [])
        {
            if (origin == "*")
            {
                if (cors.Credentials)
                {
                    problems.Add($"{key}:Origins: '*' with Credentials true would let any site make credentialed calls; list the origins instead.");
                }

                continue;
            }

            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.GetLeftPart(UriPartial.Authority) != origin.TrimEnd('/') || origin.EndsWith('/'))
            {
                problems.Add($"{key}:Origins: '{origin}' is not an origin; write scheme, host and port only, as a browser sends it (https://app.example.com).");
            }
        }

        foreach (var method in cors.Methods ?? [])
        {
            if (!HttpHeaderNames.IsToken(method))
            {
                problems.Add($"{key}:Methods: '{method}' is not an HTTP method.");
            }
        }

        foreach (var header in (cors.Headers ?? []).Concat(cors.ExposedHeaders ?? []))
        {
            if (header != "*" && !HttpHeaderNames.IsToken(header))
            {
                problems.Add($"{key}: '{header}' is not a header name.");
            }
        }

        if (cors.MaxAge is { } maxAge && (maxAge < TimeSpan.Zero || maxAge > TimeSpan.FromDays(1)))
        {
            problems.Add($"{key}:MaxAge: between 00:00:00 and 1.00:00:00.");
        }
    }

    private static bool IsName(string name) =>
        name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
