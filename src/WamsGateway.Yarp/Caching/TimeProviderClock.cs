namespace WamsGateway.Caching;

/// <summary>Lets the in-process cache expire entries on the gateway's <see cref="TimeProvider"/>.</summary>
#pragma warning disable CS0618 // MemoryCacheOptions.Clock still takes the old ISystemClock.
internal sealed class TimeProviderClock : Microsoft.Extensions.Internal.ISystemClock
#pragma warning restore CS0618
{
    private readonly TimeProvider _time;

    public TimeProviderClock(TimeProvider time)
    {
        _time = time;
    }

    public DateTimeOffset UtcNow => _time.GetUtcNow();
}
