using Microsoft.Extensions.Diagnostics.HealthChecks;
using WamsGateway.Authentication;

namespace WamsGateway.Health;

/// <summary>
/// One authority's readiness: ready once its discovery document and keys are in hand. While they were never read,
/// its users get 503 <c>authority_unavailable</c>; readiness is then Unhealthy when no authority can validate a token,
/// and Degraded, naming this one, while another authority's users are still served (taking every replica out of
/// service would refuse them too).
/// </summary>
internal sealed class AuthorityHealthCheck : IHealthCheck
{
    private readonly string _name;
    private readonly AuthorityMetadata _metadata;
    private readonly Func<bool> _anotherServes;

    /// <param name="name">The authority's configured name.</param>
    /// <param name="metadata">Its metadata.</param>
    /// <param name="anotherServes">Whether another authority's keys are in hand.</param>
    public AuthorityHealthCheck(string name, AuthorityMetadata metadata, Func<bool> anotherServes)
    {
        _name = name;
        _metadata = metadata;
        _anotherServes = anotherServes;
    }

    public static AuthorityHealthCheck For(GatewayAuthorities authorities, string name)
    {
        var authority = authorities.Find(name) ?? throw new ArgumentException($"Authority '{name}' is not configured.", nameof(name));
        return new AuthorityHealthCheck(authority.Name, authority.Metadata, () => authorities.All.Any(a => a != authority && a.Metadata.Current is not null));
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var metadata = _metadata;
        try
        {
            var configuration = await metadata.GetConfigurationAsync(cancellationToken);
            return metadata.LastRefreshFailed
                ? HealthCheckResult.Degraded($"Authority '{_name}': serving with the last good keys; it is not answering")
                : HealthCheckResult.Healthy($"Authority '{_name}': {configuration.SigningKeys.Count} signing keys");
        }
        catch (AuthorityUnavailableException)
        {
            var description = $"Authority '{_name}': its metadata has not been read yet; its tokens are answered 503";
            return _anotherServes()
                ? HealthCheckResult.Degraded(description + "; the other authorities' users are served")
                : HealthCheckResult.Unhealthy(description);
        }
    }
}
