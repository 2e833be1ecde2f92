namespace WamsGateway.Assertions;

/// <summary>
/// The gateway's assertion keys as every replica sees them: loaded from the store once per key period
/// (the next period's key made a whole period ahead), then served from memory, and read again every
/// <see cref="RecheckInterval"/>. A store that lost the period's key (Redis flushed, failed over, restarted
/// without persistence) is given back the key this replica signs with, so the fleet keeps one key. When
/// the store holds a key this replica has never published, made by a replica that started while the store
/// had lost the fleet's: if this replica's own key has been published for a whole key-set cache lifetime
/// (<see cref="AssertionSettings.JwksMaxAge"/>, so backends know it), it puts its own back over it and the
/// newcomer follows; otherwise it adopts the stored key and keeps publishing its own until the last
/// assertion it signed with it has expired.
/// </summary>
internal sealed partial class AssertionKeyRing : IDisposable
{
    /// <summary>How often the store is read again while requests come: one read per replica and key slot.</summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(5);

    private readonly IAssertionKeyStore _store;
    private readonly TimeProvider _time;
    private readonly string _algorithm;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly ILogger<AssertionKeyRing> _logger;
    private readonly Dictionary<string, DateTimeOffset> _publishedSince = new(StringComparer.Ordinal);
    private volatile AssertionKeySet? _current;
    private int _rechecking;

    public AssertionKeyRing(AssertionSettings settings, IAssertionKeyStore store, TimeProvider time, ILogger<AssertionKeyRing> logger)
    {
        Schedule = new AssertionKeySchedule(settings.KeyLifetime);
        _algorithm = settings.Algorithm;
        _store = store;
        _time = time;
        _logger = logger;
    }

    public AssertionKeySchedule Schedule { get; }

    /// <summary>
    /// The keys for now; synchronous once loaded for the current period. Once a minute one caller reads
    /// the store again (the others are served the loaded keys meanwhile); if that read fails, the loaded keys go on.
    /// </summary>
    public ValueTask<AssertionKeySet> GetAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var generation = Schedule.GenerationAt(now);
        if (_current is not { } set || set.Signing.Generation != generation)
        {
            return new ValueTask<AssertionKeySet>(LoadAsync(generation, cancellationToken));
        }

        return now < set.RecheckAt || Interlocked.CompareExchange(ref _rechecking, 1, 0) != 0
            ? ValueTask.FromResult(set)
            : new ValueTask<AssertionKeySet>(RecheckAsync(set, cancellationToken));
    }

    public void Dispose() => _loading.Dispose();

    private async Task<AssertionKeySet> LoadAsync(long generation, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } loaded && loaded.Signing.Generation == generation)
            {
                return loaded;
            }

            var before = _current;
            var previous = before is not null && before.Signing.Generation == generation - 1
                ? before.Signing
                : await _store.GetAsync(Schedule.Slot(_algorithm, generation - 1), m => AssertionKey.FromMaterial(m, _algorithm, generation - 1), cancellationToken);
            var signing = await GetOrAddAsync(generation, before?.Next.Generation == generation ? before.Next : null, cancellationToken);
            var next = await GetOrAddAsync(generation + 1, null, cancellationToken);
            var set = new AssertionKeySet(Schedule, previous, signing, next, Carried(before), _time.GetUtcNow() + RecheckInterval);
            Published(set);
            _current = set;
            Log.Loaded(_logger, signing.KeyId, Schedule.Start(generation + 1), next.KeyId);
            return set;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<AssertionKeySet> RecheckAsync(AssertionKeySet set, CancellationToken cancellationToken)
    {
        try
        {
            await _loading.WaitAsync(cancellationToken);
        }
        catch
        {
            Volatile.Write(ref _rechecking, 0);
            throw;
        }

        try
        {
            if (!ReferenceEquals(_current, set))
            {
                return _current ?? set;
            }

            var now = _time.GetUtcNow();
            AssertionKey signing, next;
            try
            {
                // Whoever finds the slot empty puts back the key it already signs with, not a new one.
                signing = await SettleAsync(set.Signing, now, cancellationToken);
                next = await SettleAsync(set.Next, now, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.RecheckFailed(_logger, ex.GetType().Name, ex.Message);
                var unchanged = new AssertionKeySet(Schedule, set.Previous, set.Signing, set.Next, set.Superseded, now + RecheckInterval);
                _current = unchanged;
                return unchanged;
            }

            var superseded = Carried(set);
            if (signing.KeyId != set.Signing.KeyId)
            {
                Log.Adopted(_logger, signing.KeyId, set.Signing.KeyId);
                superseded.Add((set.Signing, now + AssertionSettings.MaxLifetime + AssertionKeySchedule.ClockAllowance));
            }

            var rechecked = new AssertionKeySet(Schedule, set.Previous, signing, next, superseded, now + RecheckInterval);
            Published(rechecked);
            _current = rechecked;
            return rechecked;
        }
        finally
        {
            Volatile.Write(ref _rechecking, 0);
            _loading.Release();
        }
    }

    /// <summary>
    /// The key the store holds for <paramref name="own"/>'s period, or <paramref name="own"/> put back over it: when the stored
    /// key is one this replica never published and its own has been published long enough for backends to know it.
    /// </summary>
    private async Task<AssertionKey> SettleAsync(AssertionKey own, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = await GetOrAddAsync(own.Generation, own, cancellationToken);
        if (stored.KeyId == own.KeyId || _publishedSince.ContainsKey(stored.KeyId)
            || !_publishedSince.TryGetValue(own.KeyId, out var since) || now - since < AssertionSettings.JwksMaxAge)
        {
            return stored;
        }

        var slot = Schedule.Slot(_algorithm, own.Generation);
        await _store.SetAsync(slot, own, cancellationToken);
        Log.PutBackOverNewcomer(_logger, slot, own.KeyId, stored.KeyId);
        return own;
    }

    /// <summary>Notes when this replica began publishing each key of <paramref name="set"/>, and forgets keys it no longer publishes.</summary>
    private void Published(AssertionKeySet set)
    {
        var now = _time.GetUtcNow();
        var keys = new[] { set.Previous, set.Signing, set.Next }.OfType<AssertionKey>().Concat(set.Superseded.Select(s => s.Key)).Select(k => k.KeyId).ToHashSet(StringComparer.Ordinal);
        foreach (var keyId in keys)
        {
            _publishedSince.TryAdd(keyId, now);
        }

        foreach (var keyId in _publishedSince.Keys.Where(k => !keys.Contains(k)).ToList())
        {
            _publishedSince.Remove(keyId);
        }
    }

    /// <summary>The superseded keys still published, carried into the next key set.</summary>
    private List<(AssertionKey Key, DateTimeOffset Until)> Carried(AssertionKeySet? before)
    {
        var now = _time.GetUtcNow();
        return before?.Superseded.Where(s => now < s.Until).ToList() ?? [];
    }

    /// <summary>The period's key from the store; <paramref name="known"/> (else a new key) written first when the slot is empty.</summary>
    private async Task<AssertionKey> GetOrAddAsync(long generation, AssertionKey? known, CancellationToken cancellationToken)
    {
        var created = false;
        var key = await _store.GetOrAddAsync(Schedule.Slot(_algorithm, generation),
            m => AssertionKey.FromMaterial(m, _algorithm, generation),
            () =>
            {
                created = true;
                return known ?? AssertionKey.Create(_algorithm, generation);
            },
            cancellationToken);
        if (created && known is not null && ReferenceEquals(key, known))
        {
            Log.Restored(_logger, Schedule.Slot(_algorithm, generation), key.KeyId);
        }

        return key;
    }

    private static partial class Log
    {
        [LoggerMessage(600, LogLevel.Information, "Assertion keys loaded: {KeyId} signs until {Until:o}, then {NextKeyId} (published now).")]
        public static partial void Loaded(ILogger logger, string keyId, DateTimeOffset until, string nextKeyId);

        [LoggerMessage(601, LogLevel.Warning, "The key store had lost the assertion key {Slot} (Redis flushed, failed over or restarted without persistence?); put back {KeyId}, the key this replica uses.")]
        public static partial void Restored(ILogger logger, string slot, string keyId);

        [LoggerMessage(602, LogLevel.Warning, "The fleet's assertion key for this period is {KeyId}, not {OwnKeyId} which this replica signed with: signing with the fleet's from now on; {OwnKeyId} stays published until its assertions have expired.")]
        public static partial void Adopted(ILogger logger, string keyId, string ownKeyId);

        [LoggerMessage(604, LogLevel.Warning, "The key store held {NewKeyId} for {Slot}, a key this replica never published (a replica that started while the store had lost the fleet's key made it); put back {KeyId}, which backends already know.")]
        public static partial void PutBackOverNewcomer(ILogger logger, string slot, string keyId, string newKeyId);

        [LoggerMessage(603, LogLevel.Warning, "The assertion key store could not be read again ({Error}: {Reason}); the loaded keys go on signing.")]
        public static partial void RecheckFailed(ILogger logger, string error, string reason);
    }
}
