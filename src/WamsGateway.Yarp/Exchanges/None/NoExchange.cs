using WamsGateway.Configuration;
using WamsGateway.Delegation;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Exchanges.None;

/// <summary>
/// <c>Exchange: None</c>: no credential; the backend gets the identity headers only. With no
/// <c>AllowedClients</c> or <c>RequiredScopes</c> an API of this kind may sit behind an anonymous route.
/// </summary>
internal sealed class NoExchange : IExchangeKind
{
    public const string Name = "None";

    public Type OptionsType => typeof(NoOptions);

    public bool ExchangesCredential => false;

    public bool RequiresCaller => false;

    public bool KeepsCallerAuthorization => false;

    public IReadOnlyList<Type> CredentialTypes => [];

    public void Validate(object options, ExchangeValidationContext context)
    {
    }

    public IEnumerable<string> CredentialHeaders(object options) => [];

    public ValueTask<bool> PrepareAsync(HttpContext context, ApiDefinition api) => ValueTask.FromResult(true);

    public Task<DelegatedCredential> ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("An API with Exchange None obtains no credential.");

    public void Apply(RequestTransformContext context, ApiDefinition api, DelegatedCredential credential)
    {
    }
}
