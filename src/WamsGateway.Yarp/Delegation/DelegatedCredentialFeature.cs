using WamsGateway.Exchanges;

namespace WamsGateway.Delegation;

/// <summary>The credential obtained for this request, handed from the delegation step to the forwarding transform.</summary>
internal sealed record DelegatedCredentialFeature(DelegatedCredential Credential);
