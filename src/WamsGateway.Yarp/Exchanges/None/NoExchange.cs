namespace WamsGateway.Exchanges.None;

/// <summary>
/// <c>Exchange: None</c>: no credential; the backend gets the identity headers only. With no
/// <c>AllowedClients</c> or <c>RequiredScopes</c> an API of this kind may sit behind an anonymous route.
/// </summary>
internal sealed class NoExchange : CredentialFreeExchangeKind<NoOptions>
{
    public const string Name = "None";

    public override bool RequiresCaller => false;
}
