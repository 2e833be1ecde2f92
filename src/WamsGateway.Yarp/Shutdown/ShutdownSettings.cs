namespace WamsGateway.Shutdown;

/// <summary>
/// <c>Gateway:Shutdown</c>: how the gateway leaves a fleet on SIGTERM. Readiness turns 503 at once; every request,
/// new connections included, is still served for <see cref="DrainDelay"/> while load balancers take the replica out;
/// then the listeners close and requests in flight have <see cref="Timeout"/> to finish. Read at start.
/// </summary>
public sealed class ShutdownSettings
{
    /// <summary>The longest <see cref="DrainDelay"/> start-up accepts.</summary>
    public static readonly TimeSpan MaxDrainDelay = TimeSpan.FromMinutes(5);

    /// <summary>The longest <see cref="Timeout"/> start-up accepts.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long the gateway keeps serving after SIGTERM with readiness 503: at least a readiness probe's period and the load balancer's reaction.</summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long requests in flight may take to finish once the listeners have closed; then their connections are aborted.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>What a platform's grace period (Kubernetes' <c>terminationGracePeriodSeconds</c>) must cover.</summary>
    public TimeSpan Total => DrainDelay + Timeout;
}
