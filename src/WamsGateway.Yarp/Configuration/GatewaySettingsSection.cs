namespace WamsGateway.Configuration;

/// <summary>A subsection of the gateway's section that other code binds and validates (registered by <c>AddWamsGatewaySettingsSection</c>).</summary>
internal sealed record GatewaySettingsSection(string Name);
