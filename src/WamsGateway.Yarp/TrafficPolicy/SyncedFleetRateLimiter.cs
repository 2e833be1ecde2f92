using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using StackExchange.Redis;
using WamsGateway.Observability;

namespace WamsGateway.TrafficPolicy;

/// <summary>
/// A <see cref="RateLimitScope.Fleet"/> FixedWindow limit with <see cref="RateLimitSettings.SyncInterval"/>: each
/// replica counts in process and, every interval, adds what it granted since to the window's count in Redis and
/// reads back the fleet's (<see cref="FleetRateLimitScripts.SyncedFixedWindow"/>, one call per partition used in the
/// window). A request never waits for Redis. Windows are aligned to Redis's clock (each sync learns the offset), so
/// replicas count the same window in the same key, <c>{KeyPrefix}rl:{policy}:{hash}:{window}</c>. Between two syncs
/// each replica admits at most the limit minus the fleet's count it last read: the fleet can overshoot by what the
/// replicas admit in one interval. While Redis does not answer, each replica keeps counting alone (it never admits
/// more than the limit itself) and settles what it granted once Redis is back.
/// </summary>
internal sealed class SyncedFleetRateLimiter : PartitionedRateLimiter<string>
{
    private const long MaxOffsetMs = 60_000;
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly string _policy;
    private readonly IConnectionMultiplexer _redis;
    private readonly Func<string, string> _keyFor;
    private readonly int _limit;
    private readonly long _windowMs;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GatewayMeter? _meter;
    private readonly FleetRateLimitFindingsReport _findings;
    private readonly ITimer _timer;
    private long _offsetMs;
    private int _syncing;
    private int _fallingBack;

    /// <param name="policy">The policy's name.</param>
    /// <param name="settings">Its settings: FixedWindow, with a SyncInterval.</param>
    /// <param name="redis">The shared connection.</param>
    /// <param name="keyFor">The Redis key of a partition, to which the window's number is appended.</param>
    /// <param name="timeout">The most one sync waits for Redis.</param>
    /// <param name="time">The clock windows and syncs run on.</param>
    /// <param name="logger">Where Redis's absence and state the script never writes are reported.</param>
    /// <param name="meter">Counts each sync's outcome.</param>
    public SyncedFleetRateLimiter(string policy, RateLimitSettings settings, IConnectionMultiplexer redis, Func<string, string> keyFor,
        TimeSpan timeout, TimeProvider time, ILogger logger, GatewayMeter? meter)
    {
        _meter = meter;
        _policy = policy;
        _redis = redis;
        _keyFor = keyFor;
        _limit = settings.PermitLimit;
        _windowMs = Math.Max(1, (long)settings.Window!.Value.TotalMilliseconds);
        _timeout = timeout;
        _time = time;
        _logger = logger;
        _findings = new FleetRateLimitFindingsReport(policy, time, logger);
        var interval = settings.SyncInterval!.Value;
        _timer = time.CreateTimer(static state => ((SyncedFleetRateLimiter)state!).OnTimer(), this, interval, interval);
    }

    /// <summary>True while the last sync could not reach Redis.</summary>
    public bool FallingBack => Volatile.Read(ref _fallingBack) == 1;

    /// <summary>Partitions counted in this process now (used in the current window, or with counts still to settle).</summary>
    public int Partitions => _counters.Count;

    public override RateLimiterStatistics? GetStatistics(string resource) => null;

    protected override RateLimitLease AttemptAcquireCore(string resource, int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(permitCount, 1);
        var now = NowMs();
        var window = now / _windowMs;
        while (true)
        {
            var counter = _counters.GetOrAdd(resource, static (_, w) => new Counter(w), window);
            lock (counter)
            {
                if (counter.Removed)
                {
                    continue;
                }

                if (counter.Window < window)
                {
                    // A new window: what was granted in the last one and not yet settled no longer counts anywhere.
                    counter.Window = window;
                    counter.Known = 0;
                    counter.Sent = 0;
                    counter.Pending = 0;
                }

                if (counter.Known + counter.Sent + counter.Pending < _limit)
                {
                    counter.Pending++;
                    return FleetRateLimitLease.Granted;
                }

                window = counter.Window;
            }

            return FleetRateLimitLease.Refused(TimeSpan.FromMilliseconds(Math.Clamp(((window + 1) * _windowMs) - now, 1, _windowMs)));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(string resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    /// <summary>
    /// Settles every partition of the current window with Redis: adds what this replica granted since the last sync
    /// and reads the fleet's count. Partitions whose window ended with nothing to settle are forgotten. Runs on the
    /// timer; tests call it to sync at a chosen moment. Never throws: Redis failing is logged once per outage.
    /// </summary>
    public async Task SyncAsync()
    {
        var window = NowMs() / _windowMs;
        var settles = new List<Task<bool>>();
        try
        {
            var database = _redis.GetDatabase();
            foreach (var (partition, counter) in _counters)
            {
                int added;
                long counted;
                lock (counter)
                {
                    if (counter.Window < window)
                    {
                        counter.Removed = true;
                        _counters.TryRemove(new KeyValuePair<string, Counter>(partition, counter));
                        continue;
                    }

                    counted = counter.Window;
                    added = counter.Pending;
                    counter.Pending = 0;
                    counter.Sent += added;
                }

                settles.Add(SettleAsync(database, partition, counter, counted, added));
            }

            if (settles.Count == 0)
            {
                return;
            }

            if ((await Task.WhenAll(settles).WaitAsync(_timeout, _time)).All(settled => settled))
            {
                _meter?.RateLimitSync(_policy, "ok");
                if (Interlocked.Exchange(ref _fallingBack, 0) == 1)
                {
                    GatewayRateLimiter.Log.BackOnRedis(_logger, _policy);
                }

                return;
            }

            Falling(nameof(RedisException));
        }
        catch (Exception ex) when (ex is TimeoutException or RedisException or ObjectDisposedException)
        {
            // The calls still settle when Redis answers (or fail and are sent again at the next sync).
            Falling(ex.GetType().Name);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timer.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _timer.DisposeAsync();
        await base.DisposeAsyncCore();
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds() + Volatile.Read(ref _offsetMs);

    private void OnTimer()
    {
        if (Interlocked.Exchange(ref _syncing, 1) == 1)
        {
            return;
        }

        _ = RunAsync();

        async Task RunAsync()
        {
            try
            {
                await SyncAsync();
            }
            finally
            {
                Volatile.Write(ref _syncing, 0);
            }
        }
    }

    /// <summary>
    /// One partition's call: adds what was sent and reads the fleet's count. Whenever it settles, even after the
    /// sync stopped waiting: succeeded, the count is the fleet's; failed, what was sent is pending again.
    /// </summary>
    private async Task<bool> SettleAsync(IDatabase database, string partition, Counter counter, long window, int added)
    {
        var sentAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        RedisResult? reply = null;
        try
        {
            var key = counter.Key ??= _keyFor(partition) + ":";
            reply = await database.ScriptEvaluateAsync(FleetRateLimitScripts.SyncedFixedWindow,
                [key + window.ToString(CultureInfo.InvariantCulture)], [added, 2 * _windowMs]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
        }

        long fleetCount = 0;
        long redisNow = 0;
        var read = reply is not null && FleetRateLimitScripts.TryReadReply(reply, _findings, out fleetCount, out redisNow);
        if (read)
        {
            // Redis's clock names the windows; whatever it answers moves them by a minute at most.
            var receivedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            Volatile.Write(ref _offsetMs, Math.Clamp(redisNow - ((sentAt + receivedAt) / 2), -MaxOffsetMs, MaxOffsetMs));
        }

        lock (counter)
        {
            if (counter.Window == window)
            {
                counter.Sent -= added;
                if (read)
                {
                    // Within a window the fleet's count only grows; replies settling out of order must not lower it.
                    counter.Known = Math.Max(counter.Known, (int)Math.Min(fleetCount, int.MaxValue));
                }
                else
                {
                    counter.Pending += added;
                }
            }
        }

        return read;
    }

    private void Falling(string error)
    {
        _meter?.RateLimitSync(_policy, "failed");
        if (Interlocked.Exchange(ref _fallingBack, 1) == 0)
        {
            GatewayRateLimiter.Log.CountingInProcess(_logger, _policy, error);
        }
    }

    /// <summary>
    /// One partition's count in its current window: what the fleet had at the last sync, what this replica sent to
    /// Redis and has not heard back about, and what it granted since.
    /// </summary>
    private sealed class Counter(long window)
    {
        public long Window = window;
        public int Known;
        public int Sent;
        public int Pending;
        public bool Removed;
        public string? Key;
    }
}
