using Microsoft.Extensions.Options;

namespace WamsGateway.Configuration;

/// <summary>
/// The checks on one part of the gateway's options, each problem naming its key and how to fix it. Each feature
/// registers its own; the options factory runs them all, at start and on every reload, and a reload is refused with
/// every problem any of them found.
/// </summary>
internal abstract class GatewaySettingsValidator : IValidateOptions<WamsGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, WamsGatewayOptions options)
    {
        var problems = new List<string>();
        Validate(options, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Adds each problem found in <paramref name="options"/> to <paramref name="problems"/>.</summary>
    protected abstract void Validate(WamsGatewayOptions options, List<string> problems);
}
