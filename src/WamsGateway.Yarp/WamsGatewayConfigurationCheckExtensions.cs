namespace Microsoft.AspNetCore.Builder;

/// <summary>What a configuration does, for a host that checks one before it serves (the standalone gateway's <c>--check-config</c>).</summary>
public static class WamsGatewayConfigurationCheckExtensions
{
    /// <summary>
    /// Writes what the gateway's validated configuration does: each API with its exchange kind, the routes that name it
    /// (with their path and YARP policies) and its own policies; the routes that name no API; the start-up warnings.
    /// Call it on a built host whose options have been validated; it listens on nothing and calls no authority.
    /// </summary>
    /// <param name="services">The built host's services.</param>
    /// <param name="output">Where the table goes.</param>
    public static void WriteWamsGatewayConfigurationSummary(this IServiceProvider services, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        WamsGateway.Configuration.ConfigurationSummary.Write(services, output);
    }
}
