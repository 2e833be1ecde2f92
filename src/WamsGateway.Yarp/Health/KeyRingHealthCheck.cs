using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WamsGateway.Caching.KeyRing;

namespace WamsGateway.Health;

/// <summary>
/// Whether this replica can encrypt and decrypt with the Data Protection key ring. When it cannot, the
/// shared cache is off on this replica (it serves from memory and exchanges directly, takes no Redis
/// lock): Degraded, still ready, and the description says why. Checked again every few seconds while
/// unusable, so it turns Healthy by itself.
/// </summary>
internal sealed class KeyRingHealthCheck : IHealthCheck
{
    public const string Name = "key-ring";

    private readonly KeyRingStatus _status;

    public KeyRingHealthCheck(KeyRingStatus status)
    {
        _status = status;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = await _status.CheckAsync(cancellationToken);
        return state.Usability == KeyRingUsability.Unusable
            ? HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                $"unusable since {state.Since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}: {state.Reason}; serving from the in-process cache and exchanging directly, no shared cache and no Redis lock on this replica until it is usable again"))
            : HealthCheckResult.Healthy("usable");
    }
}
