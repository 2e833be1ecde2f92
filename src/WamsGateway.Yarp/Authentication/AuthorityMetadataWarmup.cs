namespace WamsGateway.Authentication;

/// <summary>Reads every authority's metadata as the gateway starts, so readiness turns green without waiting for a first request.</summary>
internal sealed class AuthorityMetadataWarmup : BackgroundService
{
    private readonly GatewayAuthorities _authorities;

    public AuthorityMetadataWarmup(GatewayAuthorities authorities)
    {
        _authorities = authorities;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_authorities.All.Select(a => WarmAsync(a.Metadata, stoppingToken)));

    private static async Task WarmAsync(AuthorityMetadata metadata, CancellationToken stoppingToken)
    {
        try
        {
            await metadata.GetConfigurationAsync(stoppingToken);
        }
        catch (AuthorityUnavailableException)
        {
            // Logged by AuthorityMetadata; readiness reports it and requests retry with back-off.
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
