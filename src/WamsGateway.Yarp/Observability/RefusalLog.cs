using System.Collections.Concurrent;

namespace WamsGateway.Observability;

/// <summary>
/// Requests the gateway refuses (a bad token, a client or scope an API does not take) are counted by metrics and logged
/// at Debug one by one; at Information, one line per minute per reason says how many there were. A client spraying bad
/// tokens costs a counter increment per request, not a log line: disks and real events are not drowned.
/// </summary>
internal sealed partial class RefusalLog : IDisposable
{
    /// <summary>How often the counts are written, and reset.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string Reason, string Kind, string Name), Counter> _counts = new();
    private readonly ILogger<RefusalLog> _logger;
    private readonly ITimer _timer;

    public RefusalLog(TimeProvider time, ILogger<RefusalLog> logger)
    {
        _logger = logger;
        _timer = time.CreateTimer(_ => Flush(), null, Period, Period);
    }

    /// <summary>One refusal, for the next summary line.</summary>
    /// <param name="reason">The failure reason, as in the metrics (a configured or fixed name: never token content).</param>
    /// <param name="kind">What refused it: <c>authority</c> or <c>API</c>.</param>
    /// <param name="name">Its configured name.</param>
    public void Count(string reason, string kind, string name) =>
        Interlocked.Increment(ref _counts.GetOrAdd((reason, kind, name), static _ => new Counter()).Value);

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }

    /// <summary>One Information line per reason refused since the last flush, with how many.</summary>
    internal void Flush()
    {
        foreach (var (key, count) in _counts)
        {
            var refused = Interlocked.Exchange(ref count.Value, 0);
            if (refused > 0)
            {
                Log.Refused(_logger, refused, key.Reason, key.Kind, key.Name);
            }
        }
    }

    private sealed class Counter
    {
        public long Value;
    }

    private static partial class Log
    {
        [LoggerMessage(120, LogLevel.Information, "Refused {Count} request(s) since the last summary: {Reason} ({Kind} {Name}). Each one is logged at Debug and counted by wamsgateway_auth_failures_total.")]
        public static partial void Refused(ILogger logger, long count, string reason, string kind, string name);
    }
}
