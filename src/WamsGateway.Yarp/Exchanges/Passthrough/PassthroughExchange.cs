using WamsGateway.Configuration;
using WamsGateway.Delegation;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Exchanges.Passthrough;

/// <summary>
/// <c>Exchange: Passthrough</c>: the caller's own validated bearer token travels on in
/// <c>Authorization</c>; every other credential header is still removed.
/// </summary>
internal sealed class PassthroughExchange : IExchangeKind
{
    public const string Name = "Passthrough";

    public Type OptionsType => typeof(NoOptions);

    public bool ExchangesCredential => false;

    public bool RequiresCaller => true;

    public bool KeepsCallerAuthorization => true;

    public IReadOnlyList<Type> CredentialTypes => [];

    public void Validate(object options, ExchangeValidationContext context)
    {
    }

    public IEnumerable<string> CredentialHeaders(object options) => [];

    public ValueTask<bool> PrepareAsync(HttpContext context, ApiDefinition api) => ValueTask.FromResult(true);

    public Task<DelegatedCredential> ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("An API with Exchange Passthrough obtains no credential.");

    public void Apply(RequestTransformContext context, ApiDefinition api, DelegatedCredential credential)
    {
    }
}
