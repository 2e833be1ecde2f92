using Microsoft.Extensions.Diagnostics.HealthChecks;
using WamsGateway.Authentication;

namespace WamsGateway.Health;

/// <summary>Ready once the authority's discovery document and keys are in hand.</summary>
internal sealed class AuthorityHealthCheck : IHealthCheck
{
    private readonly AuthorityMetadata _metadata;

    public AuthorityHealthCheck(AuthorityMetadata metadata)
    {
        _metadata = metadata;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var configuration = await _metadata.GetConfigurationAsync(cancellationToken);
            return _metadata.LastRefreshFailed
                ? HealthCheckResult.Degraded("Serving with the last good keys; the authority is not answering")
                : HealthCheckResult.Healthy($"{configuration.SigningKeys.Count} signing keys");
        }
        catch (AuthorityUnavailableException)
        {
            return HealthCheckResult.Unhealthy("The authority's metadata has not been read yet");
        }
    }
}
