using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;
using WamsGateway.Observability;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// Whether this replica can encrypt and decrypt with the Data Protection key ring. When it cannot (the
/// ring in Redis cannot be read, holds no usable key, or Data Protection refuses it for any other reason),
/// the shared cache is off on this replica: it serves from memory and exchanges directly, reads and
/// writes nothing in Redis, and takes no Redis lock (a lock it took could not be completed: the value it
/// guards could never be written). It checks again every <see cref="RecheckInterval"/> while some
/// request or the readiness check asks, and turns the cache back on by itself. Each change is logged once.
/// </summary>
internal sealed partial class KeyRingStatus
{
    /// <summary>The purpose of the probe value: it is encrypted and decrypted here only, and never stored.</summary>
    public const string ProbePurpose = "WamsGateway.KeyRingProbe.v1";

    private static readonly byte[] ProbeValue = "key ring probe"u8.ToArray();

    private readonly IDataProtector _probe;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyRingStatus> _logger;
    private readonly Lock _gate = new();
    private KeyRingState _state;
    private int _rechecking;

    public KeyRingStatus(IDataProtectionProvider provider, TimeProvider time, ILogger<KeyRingStatus> logger)
    {
        _probe = provider.CreateProtector(ProbePurpose);
        _time = time;
        _logger = logger;
        _state = new KeyRingState(KeyRingUsability.Unknown, null, time.GetUtcNow(), DateTimeOffset.MinValue);
    }

    /// <summary>How often an unusable ring is tried again.</summary>
    public static TimeSpan RecheckInterval { get; } = TimeSpan.FromSeconds(5);

    public KeyRingState Current => Volatile.Read(ref _state);

    /// <summary>
    /// False while the ring is known to be unusable (until then, true); while it is, a re-check starts
    /// in the background whenever one is due, so the cache comes back without a restart.
    /// </summary>
    public bool IsUsable()
    {
        var state = Current;
        if (state.Usability != KeyRingUsability.Unusable)
        {
            return true;
        }

        if (_time.GetUtcNow() >= state.RecheckAt && Interlocked.Exchange(ref _rechecking, 1) == 0)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    Probe();
                }
                finally
                {
                    Volatile.Write(ref _rechecking, 0);
                }
            });
        }

        return false;
    }

    /// <summary>The readiness check's view: tried now if never tried yet, or if unusable and a re-check is due.</summary>
    public async Task<KeyRingState> CheckAsync(CancellationToken cancellationToken)
    {
        var state = Current;
        if (state.Usability == KeyRingUsability.Unknown
            || (state.Usability == KeyRingUsability.Unusable && _time.GetUtcNow() >= state.RecheckAt))
        {
            // Data Protection reads Redis synchronously: off the caller's thread.
            await Task.Run(Probe, cancellationToken);
        }

        return Current;
    }

    /// <summary>Encrypts and decrypts a probe value: whether the ring is usable now (and the state updated).</summary>
    public bool Probe()
    {
        try
        {
            _probe.Unprotect(_probe.Protect(ProbeValue));
            Succeeded();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed(ex);
            return false;
        }
    }

    /// <summary>Data Protection just encrypted or decrypted with the ring. Cheap: called on every cache read and write.</summary>
    public void Succeeded()
    {
        if (Current.Usability == KeyRingUsability.Usable)
        {
            return;
        }

        lock (_gate)
        {
            var was = _state;
            if (was.Usability == KeyRingUsability.Usable)
            {
                return;
            }

            Volatile.Write(ref _state, new KeyRingState(KeyRingUsability.Usable, null, _time.GetUtcNow(), DateTimeOffset.MinValue));
            if (was.Usability == KeyRingUsability.Unusable)
            {
                Log.UsableAgain(_logger);
            }
        }
    }

    /// <summary>Data Protection could not encrypt with the ring (it threw): unusable until a re-check succeeds.</summary>
    public void Failed(Exception error)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var was = _state;
            if (was.Usability == KeyRingUsability.Unusable)
            {
                Volatile.Write(ref _state, was with { RecheckAt = now + RecheckInterval });
                return;
            }

            var reason = Describe(error);
            Volatile.Write(ref _state, new KeyRingState(KeyRingUsability.Unusable, reason, now, now + RecheckInterval));
            Log.Unusable(_logger, reason, RecheckInterval.TotalSeconds);
        }
    }

    /// <summary>
    /// What went wrong, for the log and the readiness body: the cause Data Protection wrapped, by type, and
    /// its message (sanitised and short) unless it is Redis's own, which names hosts and commands.
    /// </summary>
    private static string Describe(Exception error)
    {
        var cause = error;
        while (cause is CryptographicException { InnerException: { } inner })
        {
            cause = inner;
        }

        return cause is RedisException
            ? $"the key ring could not be read from or written to Redis ({cause.GetType().Name})"
            : $"Data Protection cannot use the key ring ({cause.GetType().Name}: {UntrustedText.ForLog(cause.Message, 160)})";
    }

    private static partial class Log
    {
        [LoggerMessage(424, LogLevel.Warning, "The Data Protection key ring is unusable: {Reason}. This replica cannot encrypt or decrypt cache values, so it serves from its in-process cache and exchanges directly, reads and writes nothing in Redis and takes no Redis lock; readiness 'key-ring' is Degraded. Checked again every {Seconds} s.")]
        public static partial void Unusable(ILogger logger, string reason, double seconds);

        [LoggerMessage(425, LogLevel.Information, "The Data Protection key ring is usable again; this replica shares the cache in Redis again.")]
        public static partial void UsableAgain(ILogger logger);
    }
}

/// <summary>Whether the key ring has been tried, and how it went.</summary>
internal enum KeyRingUsability
{
    Unknown,
    Usable,
    Unusable,
}

/// <summary>The key ring's state: since when, why it is unusable, and when it is tried again.</summary>
internal sealed record KeyRingState(KeyRingUsability Usability, string? Reason, DateTimeOffset Since, DateTimeOffset RecheckAt);
