using WamsGateway.Exchanges;

namespace WamsGateway.Configuration;

/// <summary>
/// Every value of the gateway's section that does not convert to its setting's type, and every key no setting has
/// (<see cref="ConfigurationShapeChecker"/>): binding left them out, and the operator hears of each, with its key.
/// </summary>
internal sealed class ConfigurationShapeValidator : GatewaySettingsValidator
{
    private readonly IConfiguration _section;
    private readonly ExchangeKinds _kinds;
    private readonly HashSet<string> _otherSections;

    public ConfigurationShapeValidator(IConfiguration section, ExchangeKinds kinds, IEnumerable<GatewaySettingsSection> otherSections)
    {
        _section = section;
        _kinds = kinds;
        _otherSections = otherSections.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    protected override void Validate(WamsGatewayOptions options, List<string> problems) =>
        problems.AddRange(ConfigurationShapeChecker.CheckGateway(_section, _kinds, _otherSections).Messages);
}
