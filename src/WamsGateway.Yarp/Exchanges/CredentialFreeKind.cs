using WamsGateway.Configuration;
using WamsGateway.Delegation;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Exchanges;

/// <summary>The built-in kinds that obtain nothing: no settings, no exchange, nothing added to the request.</summary>
internal abstract class CredentialFreeKind : IExchangeKind
{
    public Type OptionsType => typeof(NoOptions);

    public bool ExchangesCredential => false;

    public abstract bool RequiresCaller { get; }

    public abstract bool KeepsCallerAuthorization { get; }

    public IReadOnlyList<Type> CredentialTypes => [];

    public void Validate(object options, ExchangeValidationContext context)
    {
    }

    public IEnumerable<string> CredentialHeaders(object options) => [];

    public IEnumerable<string> CredentialAudiences(object options) => [];

    public ValueTask<bool> PrepareAsync(HttpContext context, ApiDefinition api) => ValueTask.FromResult(true);

    public Task<DelegatedCredential> ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"API '{request.Api.Name}' ({request.Api.KindName}) obtains no credential.");

    public void Apply(RequestTransformContext context, ApiDefinition api, DelegatedCredential credential)
    {
    }
}
