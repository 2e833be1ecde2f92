using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

/// <summary>The checks on <c>Gateway:Delegation</c>: the exchange's budget, retries and breaker.</summary>
internal sealed class DelegationSettingsValidator : GatewaySettingsValidator
{
    protected override void Validate(WamsGatewayOptions options, List<string> problems) => ValidateDelegation(options.Delegation, problems);

    private static void ValidateDelegation(DelegationSettings settings, List<string> problems)
    {
        const string Key = WamsGatewayOptions.SectionName + ":Delegation";
        if (settings.Timeout < TimeSpan.FromMilliseconds(100) || settings.Timeout > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{Key}:Timeout: between 00:00:00.1 and 00:01:00.");
        }

        if (settings.BreakerMinimumThroughput < 2)
        {
            problems.Add($"{Key}:BreakerMinimumThroughput: at least 2.");
        }

        if (settings.RememberUnavailable < TimeSpan.Zero || settings.RememberUnavailable > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{Key}:RememberUnavailable: between 00:00:00 (off) and 00:01:00.");
        }

        if (settings.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            problems.Add($"{Key}:BreakDuration: at least 00:00:00.5.");
        }

        if (settings.DefaultRetryAfter < TimeSpan.FromSeconds(1))
        {
            problems.Add($"{Key}:DefaultRetryAfter: at least 00:00:01.");
        }
    }
}
