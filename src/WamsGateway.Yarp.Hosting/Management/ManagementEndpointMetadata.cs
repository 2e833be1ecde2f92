namespace WamsGateway.Management;

/// <summary>Marks the endpoints served on the management listener only (health and metrics).</summary>
internal sealed class ManagementEndpointMetadata
{
    public static readonly ManagementEndpointMetadata Instance = new();

    private ManagementEndpointMetadata()
    {
    }

    public static bool On(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<ManagementEndpointMetadata>() is not null;
}
