namespace WamsGateway.Configuration;

/// <summary>Keys the gateway reads from YARP route metadata.</summary>
internal static class RouteMetadata
{
    /// <summary>Binds a route to <c>Gateway:Apis:&lt;value&gt;</c>.</summary>
    public const string Api = "Api";
}
