using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace WamsGateway.State;

/// <summary>
/// Counts since start for the state report, read from the host's own instruments (this host's meters only): requests by
/// route pattern and status class (ASP.NET Core's <c>http.server.request.duration</c>), refusals by reason, exchanges by
/// API and outcome, rate-limit refusals by policy. Listens only once something asks for it (the dashboard), so a gateway
/// without one pays nothing per request.
/// </summary>
internal sealed class GatewayCounts : IDisposable
{
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    private const string RequestDuration = "http.server.request.duration";
    private const string AuthFailures = "wamsgateway.auth.failures";
    private const string Delegations = "wamsgateway.delegation.requests";
    private const string RateLimited = "wamsgateway.rate_limited";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Group, string Key, string Value), long> _counts = new();

    public GatewayCounts(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory
                && ((instrument.Meter.Name == HostingMeter && instrument.Name == RequestDuration)
                    || (instrument.Meter.Name == WamsGatewayDefaults.MeterName && instrument.Name is AuthFailures or Delegations or RateLimited)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Count(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Count(instrument.Name, 1, tags));
        _listener.Start();
    }

    /// <summary>The counts of one group (<c>routes</c>, <c>apis</c>, <c>authFailures</c>, <c>rateLimited</c>): key, then value, then count.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Group(string group) =>
        _counts.Where(c => c.Key.Group == group)
            .GroupBy(c => c.Key.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(c => c.Key.Value, c => c.Value, StringComparer.Ordinal), StringComparer.Ordinal);

    public void Dispose() => _listener.Dispose();

    private void Count(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (instrument)
        {
            case RequestDuration when Tag(tags, "http.route") is { } route && Tag(tags, "http.response.status_code") is { Length: 3 } status:
                Add("routes", route, status[0] + "xx", value);
                break;
            case AuthFailures when Tag(tags, "reason") is { } reason:
                Add("authFailures", "all", reason, value);
                break;
            case Delegations when Tag(tags, "api") is { } api && Tag(tags, "outcome") is { } outcome:
                Add("apis", api, outcome, value);
                break;
            case RateLimited when Tag(tags, "policy") is { } policy:
                Add("rateLimited", "all", policy, value);
                break;
        }
    }

    private void Add(string group, string key, string value, long count) => _counts.AddOrUpdate((group, key, value), count, (_, n) => n + count);

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
