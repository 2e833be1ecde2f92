using System.Text.RegularExpressions;

namespace WamsGateway.Configuration;

/// <summary>
/// What the gateway shows of configured values outside the configuration itself: in the dashboard's state and in the
/// problems of a refused reload (events 801), which reach logs and the management listener. A URL shows without its
/// user information and query; a configured value a problem quotes shows as <c>***</c>, unless it is a name (of an API, a
/// kind, a policy, a route), so a secret typed into the wrong setting is never repeated back.
/// </summary>
internal static partial class ConfigurationRedaction
{
    /// <summary>The mask that stands for a value left out.</summary>
    public const string Mask = "***";

    // Settings whose values name something (an API, a kind, a policy, a cluster, an authority) or choose from a fixed list:
    // shown as they are, so "API 'ordres' is not defined" still points at the typo.
    private static readonly HashSet<string> NamingSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "Api", "Exchange", "ClusterId", "AuthorizationPolicy", "RateLimiterPolicy", "CorsPolicy", "TimeoutPolicy", "RateLimit", "ExchangeRateLimit",
        "Authorities", "Authority", "Algorithm", "Scope", "PartitionBy", "ClientAuthentication", "Source", "Methods",
    };

    /// <summary>Text with every URL's user information and query replaced by <c>***</c>.</summary>
    public static string Urls(string text) =>
        UrlQuery().Replace(UrlUserInfo().Replace(text, "${scheme}***@"), "${url}?***");

    /// <summary>A configured value as it may be shown: an http(s) URL without user information and query, anything else <c>***</c>.</summary>
    public static string Value(string value) => RouteBindingsValidator.IsHttpAddress(value) ? Urls(value) : Mask;

    /// <summary>
    /// The problems as they may be shown: each quoted text (<c>'…'</c> or <c>"…"</c>) that is a value of
    /// <paramref name="configuration"/> becomes <c>***</c>, or, for an http(s) URL, the URL without user information and
    /// query; a value the configuration also uses as a key (an API's, a policy's, a route's name), or that names one (a
    /// route's <c>Api</c>, an API's <c>Exchange</c> or <c>RateLimit</c>, ...), stays, as the key does.
    /// Every URL in the text, quoted or not, loses its user information and query.
    /// </summary>
    /// <param name="problems">The validators' problems.</param>
    /// <param name="configuration">The configuration they are about (the gateway's section, YARP's, or the root).</param>
    public static IReadOnlyList<string> Problems(IEnumerable<string> problems, IConfiguration configuration)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            var segments = key.Split(ConfigurationPath.KeyDelimiter);
            foreach (var segment in segments)
            {
                names.Add(segment);
            }

            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            // An array's items are keyed by their index under the setting's name.
            var setting = segments.Length > 1 && int.TryParse(segments[^1], out _) ? segments[^2] : segments[^1];
            if (NamingSettings.Contains(setting) && !RouteBindingsValidator.IsHttpAddress(value))
            {
                names.Add(value);
            }
            else
            {
                values.Add(value);
            }
        }

        // A value with a quote or a line break in it cannot be told apart by its quotes (a PEM pasted into a URL setting):
        // it is masked wherever it appears.
        var withQuotes = values.Where(v => v.AsSpan().IndexOfAny("'\"\r\n") >= 0 && !names.Contains(v)).OrderByDescending(v => v.Length).ToList();
        return problems.Select(problem =>
        {
            foreach (var value in withQuotes)
            {
                problem = problem.Replace(value, Mask, StringComparison.Ordinal);
            }

            return Urls(Quoted().Replace(problem, match =>
            {
                var text = match.Groups["text"].Value;
                if (!values.Contains(text) || names.Contains(text))
                {
                    return match.Value;
                }

                var quote = match.Value[0];
                return quote + Value(text) + quote;
            }));
        }).ToList();
    }

    [GeneratedRegex(@"(?<scheme>\b[a-z][a-z0-9+.-]*://)[^/@\s'""]*@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlUserInfo();

    [GeneratedRegex(@"(?<url>\b[a-z][a-z0-9+.-]*://[^\s'""?]*)\?[^\s'""]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlQuery();

    [GeneratedRegex(@"'(?<text>[^'\r\n]*)'|""(?<text>[^""\r\n]*)""", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Quoted();
}
