namespace WamsGateway.Exchanges.Passthrough;

/// <summary>
/// <c>Exchange: Passthrough</c>: the caller's own validated bearer token travels on in
/// <c>Authorization</c>; every other credential header is still removed.
/// </summary>
internal sealed class PassthroughExchange : CredentialFreeExchangeKind<NoOptions>
{
    public const string Name = "Passthrough";

    public override bool KeepsCallerAuthorization => true;
}
