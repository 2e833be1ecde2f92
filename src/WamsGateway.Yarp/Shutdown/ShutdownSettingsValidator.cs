using WamsGateway.Configuration;

namespace WamsGateway.Shutdown;

/// <summary>The checks on <c>Gateway:Shutdown</c>.</summary>
internal sealed class ShutdownSettingsValidator : GatewaySettingsValidator
{
    protected override void Validate(WamsGatewayOptions options, List<string> problems) => ValidateShutdown(options.Shutdown, problems);

    private static void ValidateShutdown(ShutdownSettings shutdown, List<string> problems)
    {
        const string Key = WamsGatewayOptions.SectionName + ":Shutdown";
        if (shutdown.DrainDelay < TimeSpan.Zero || shutdown.DrainDelay > ShutdownSettings.MaxDrainDelay)
        {
            problems.Add($"{Key}:DrainDelay: between 00:00:00 and {ShutdownSettings.MaxDrainDelay:c}; give it at least the readiness probe's period so load balancers stop sending first.");
        }

        if (shutdown.Timeout <= TimeSpan.Zero || shutdown.Timeout > ShutdownSettings.MaxTimeout)
        {
            problems.Add($"{Key}:Timeout: more than 00:00:00 and at most {ShutdownSettings.MaxTimeout:c}; the slowest request you want finished, not cut, when a replica stops.");
        }
    }
}
