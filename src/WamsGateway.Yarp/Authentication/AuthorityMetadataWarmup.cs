namespace WamsGateway.Authentication;

/// <summary>Reads the authority's metadata as the gateway starts, so readiness turns green without waiting for a first request.</summary>
internal sealed class AuthorityMetadataWarmup : BackgroundService
{
    private readonly AuthorityMetadata _metadata;

    public AuthorityMetadataWarmup(AuthorityMetadata metadata)
    {
        _metadata = metadata;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _metadata.GetConfigurationAsync(stoppingToken);
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
