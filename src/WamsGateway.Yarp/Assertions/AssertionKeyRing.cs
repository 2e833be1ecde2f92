using System.Text.Json.Nodes;

namespace WamsGateway.Assertions;

/// <summary>The keys of one period: the one that signs, the next one, and the previous one while it is still published.</summary>
internal sealed class AssertionKeySet
{
    public AssertionKeySet(AssertionKeySchedule schedule, AssertionKey? previous, AssertionKey signing, AssertionKey next)
    {
        Schedule = schedule;
        Previous = previous;
        Signing = signing;
        Next = next;
    }

    public AssertionKeySchedule Schedule { get; }

    public AssertionKey? Previous { get; }

    public AssertionKey Signing { get; }

    public AssertionKey Next { get; }

    /// <summary>The JWKS document at <paramref name="now"/>: public keys only.</summary>
    public JsonObject Jwks(DateTimeOffset now)
    {
        var keys = new JsonArray();
        if (Previous is not null && Schedule.PublishesPrevious(Signing.Generation, now))
        {
            keys.Add(Previous.PublicJwk.DeepClone());
        }

        keys.Add(Signing.PublicJwk.DeepClone());
        keys.Add(Next.PublicJwk.DeepClone());
        return new JsonObject { ["keys"] = keys };
    }
}

/// <summary>
/// The gateway's assertion keys as every replica sees them: loaded from the store once per key period
/// (the next period's key made a whole period ahead), then served from memory.
/// </summary>
internal sealed partial class AssertionKeyRing : IDisposable
{
    private readonly IAssertionKeyStore _store;
    private readonly TimeProvider _time;
    private readonly string _algorithm;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly ILogger<AssertionKeyRing> _logger;
    private volatile AssertionKeySet? _current;

    public AssertionKeyRing(AssertionSettings settings, IAssertionKeyStore store, TimeProvider time, ILogger<AssertionKeyRing> logger)
    {
        Schedule = new AssertionKeySchedule(settings.KeyLifetime);
        _algorithm = settings.Algorithm;
        _store = store;
        _time = time;
        _logger = logger;
    }

    public AssertionKeySchedule Schedule { get; }

    /// <summary>The keys for now; synchronous once loaded for the current period.</summary>
    public ValueTask<AssertionKeySet> GetAsync(CancellationToken cancellationToken)
    {
        var generation = Schedule.GenerationAt(_time.GetUtcNow());
        return _current is { } set && set.Signing.Generation == generation
            ? ValueTask.FromResult(set)
            : new ValueTask<AssertionKeySet>(LoadAsync(generation, cancellationToken));
    }

    private async Task<AssertionKeySet> LoadAsync(long generation, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } loaded && loaded.Signing.Generation == generation)
            {
                return loaded;
            }

            var previous = _current is { } before && before.Signing.Generation == generation - 1
                ? before.Signing
                : await _store.GetAsync(Schedule.Slot(_algorithm, generation - 1), m => AssertionKey.FromMaterial(m, _algorithm, generation - 1), cancellationToken);
            var signing = await GetOrCreateAsync(generation, cancellationToken);
            var next = await GetOrCreateAsync(generation + 1, cancellationToken);
            var set = new AssertionKeySet(Schedule, previous, signing, next);
            _current = set;
            Log.Loaded(_logger, signing.KeyId, Schedule.Start(generation + 1), next.KeyId);
            return set;
        }
        finally
        {
            _loading.Release();
        }
    }

    private Task<AssertionKey> GetOrCreateAsync(long generation, CancellationToken cancellationToken) =>
        _store.GetOrAddAsync(Schedule.Slot(_algorithm, generation),
            m => AssertionKey.FromMaterial(m, _algorithm, generation),
            () => AssertionKey.Create(_algorithm, generation),
            cancellationToken);

    public void Dispose() => _loading.Dispose();

    private static partial class Log
    {
        [LoggerMessage(600, LogLevel.Information, "Assertion keys loaded: {KeyId} signs until {Until:o}, then {NextKeyId} (published now).")]
        public static partial void Loaded(ILogger logger, string keyId, DateTimeOffset until, string nextKeyId);
    }
}
