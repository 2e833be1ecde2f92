namespace WamsGateway.Exchanges;

/// <summary>The settings of a kind that has none: <c>CredentialFreeExchangeKind&lt;NoOptions&gt;</c>.</summary>
public sealed class NoOptions
{
}
