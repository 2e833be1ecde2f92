using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// Keeps the replicas on one key ring. Every <see cref="Interval"/> it reads the ring in Redis: when Redis has lost every
/// key this replica knows (restarted without its data), it writes them back, so what is cached stays readable and a
/// replica starting now finds them; when the ring differs from what Data Protection last read (another replica wrote a
/// key, or this one wrote keys back), Data Protection reads it again. Replicas that made keys of their own while the
/// ring was lost thus end with the same ring, and the same newest key, within two intervals.
/// </summary>
internal sealed partial class KeyRingWatch : BackgroundService
{
    /// <summary>How often the ring in Redis is compared with the one in use: one list read per replica.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(5);

    private readonly RedisKeyRingRepository _repository;
    private readonly RefreshableKeyManager _keyManager;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyRingWatch> _logger;
    private IReadOnlySet<string>? _refreshedFor;

    private readonly bool _redis;

    public KeyRingWatch(RedisKeyRingRepository repository, RefreshableKeyManager keyManager, IOptions<Configuration.WamsGatewayOptions> options, TimeProvider time, ILogger<KeyRingWatch> logger)
    {
        _redis = options.Value.Redis.Configuration is not null;
        _repository = repository;
        _keyManager = keyManager;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// One comparison: writes lost keys back, and has Data Protection read the ring again when it changed. Asynchronous
    /// all through: it runs on the thread pool beside the requests, which a thread blocked on Redis would hold up.
    /// </summary>
    public async Task CheckAsync()
    {
        var inRedis = await _repository.ReadAsync();
        var restored = await _repository.RestoreLostKeysAsync(inRedis);
        if (restored > 0)
        {
            Log.Restored(_logger, restored);
            inRedis = await _repository.ReadAsync();
        }

        // Once per change: Data Protection reads the ring when it next encrypts or decrypts, which an idle replica may not do for a while.
        var ring = inRedis.Select(RedisKeyRingRepository.Text).ToHashSet(StringComparer.Ordinal);
        var lastRead = _repository.LastRead;
        if (lastRead.Count > 0 && !ring.SetEquals(lastRead) && (_refreshedFor is null || !ring.SetEquals(_refreshedFor)))
        {
            _refreshedFor = ring;
            Log.Changed(_logger);
            _keyManager.Refresh();
        }
    }

    /// <summary>One tick: <see cref="CheckAsync"/>, whatever it throws logged and left for the next tick.</summary>
    public async Task TickAsync()
    {
        try
        {
            await CheckAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Redis is down, slow (a RedisTimeoutException is no RedisException) or answers nonsense: readiness and the
            // cache say so, and the ring is compared again at the next tick. A watch that threw would stop the host.
            Log.CheckFailed(_logger, ex.GetType().Name);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_redis)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await TickAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(426, LogLevel.Warning, "The Data Protection key ring in Redis had lost every key this replica knows (Redis restarted without its data, or the list was deleted); wrote back {Count} key(s), so every replica can read what is cached.")]
        public static partial void Restored(ILogger logger, int count);

        [LoggerMessage(428, LogLevel.Debug, "The Data Protection key ring in Redis could not be compared with the one in use ({Error}); tried again at the next tick.")]
        public static partial void CheckFailed(ILogger logger, string error);

        [LoggerMessage(427, LogLevel.Information, "The Data Protection key ring in Redis changed (another replica wrote a key, or keys were written back); this replica reads it again.")]
        public static partial void Changed(ILogger logger);
    }
}
