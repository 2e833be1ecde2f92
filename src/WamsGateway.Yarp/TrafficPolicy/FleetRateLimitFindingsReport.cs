namespace WamsGateway.TrafficPolicy;

/// <summary>
/// Reports what a policy's scripts found and set right (event 502): the first time, then at most once a minute with
/// how many times since, so a writer planting state in many keys cannot flood the log. Only fixed words chosen from
/// the findings are written, never what the key held.
/// </summary>
internal sealed partial class FleetRateLimitFindingsReport
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private readonly string _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _nextReport = long.MinValue;
    private int _unreported;
    private int _kinds;

    public FleetRateLimitFindingsReport(string policy, TimeProvider time, ILogger logger)
    {
        _policy = policy;
        _time = time;
        _logger = logger;
    }

    public void Found(FleetRateLimitFindings findings)
    {
        Interlocked.Increment(ref _unreported);
        Interlocked.Or(ref _kinds, (int)findings);
        var now = _time.GetUtcNow().UtcTicks;
        var next = Interlocked.Read(ref _nextReport);
        if (now < next || Interlocked.CompareExchange(ref _nextReport, now + Interval.Ticks, next) != next)
        {
            return;
        }

        var count = Interlocked.Exchange(ref _unreported, 0);
        var kinds = (FleetRateLimitFindings)Interlocked.Exchange(ref _kinds, 0);
        Log.Found(_logger, _policy, Describe(kinds), count);
    }

    private static string Describe(FleetRateLimitFindings findings)
    {
        var words = new List<string>(5);
        if (findings.HasFlag(FleetRateLimitFindings.OtherType))
        {
            words.Add("another Redis type");
        }

        if (findings.HasFlag(FleetRateLimitFindings.UnreadableNumber))
        {
            words.Add("an unreadable number");
        }

        if (findings.HasFlag(FleetRateLimitFindings.AheadOfRedisClock))
        {
            words.Add("times ahead of Redis's clock");
        }

        if (findings.HasFlag(FleetRateLimitFindings.OverTheLimit))
        {
            words.Add("a count over the limit");
        }

        if (findings.HasFlag(FleetRateLimitFindings.ExpiryTooLong))
        {
            words.Add("no expiry or one past the window");
        }

        return string.Join(", ", words);
    }

    private static partial class Log
    {
        [LoggerMessage(502, LogLevel.Warning, "Rate limit {Policy} found state in Redis that its scripts never write ({Found}; {Count} time(s) since the last report) and treated it as empty, or capped it. Another client writes to the gateway's keys, or the policy's settings changed.")]
        public static partial void Found(ILogger logger, string policy, string found, int count);
    }
}
