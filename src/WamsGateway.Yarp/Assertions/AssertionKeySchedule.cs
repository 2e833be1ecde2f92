namespace WamsGateway.Assertions;

/// <summary>
/// Which key signs when. Time is cut into periods of <c>KeyLifetime</c> from the Unix epoch; the key of
/// period <c>g</c> signs from its start to the next period's. Every replica computes the same periods,
/// so the key store needs only "the key of period g, made once by whoever asks first". Published at a
/// time in period <c>g</c>: the next period's key (a whole lifetime before it signs, far more than one
/// JWKS <c>max-age</c>), the signing key, and the previous key until the last assertion it signed has
/// expired (<see cref="AssertionSettings.MaxLifetime"/>, plus a minute for clocks).
/// </summary>
internal readonly record struct AssertionKeySchedule(TimeSpan KeyLifetime)
{
    public static readonly TimeSpan ClockAllowance = TimeSpan.FromMinutes(1);

    public long GenerationAt(DateTimeOffset time) => (long)Math.Floor((time - DateTimeOffset.UnixEpoch) / KeyLifetime);

    public DateTimeOffset Start(long generation) => DateTimeOffset.UnixEpoch + (KeyLifetime * generation);

    /// <summary>Whether the key of the period before <paramref name="generation"/> is still published at <paramref name="time"/>.</summary>
    public bool PublishesPrevious(long generation, DateTimeOffset time) => time < Start(generation) + AssertionSettings.MaxLifetime + ClockAllowance;

    /// <summary>Where a period's key is kept, in every store: algorithm, lifetime and period, so a changed setting never reuses a key made under another.</summary>
    public string Slot(string algorithm, long generation) => $"{algorithm}.{(long)KeyLifetime.TotalSeconds}.{generation}";
}
