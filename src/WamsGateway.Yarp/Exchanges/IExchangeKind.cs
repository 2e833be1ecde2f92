using WamsGateway.Configuration;
using WamsGateway.Delegation;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Exchanges;

/// <summary>
/// What the request path needs of an exchange kind, whatever its options type. Built-in kinds and
/// <see cref="ExchangeKind{TOptions}"/> implement it; nothing outside a kind's folder asks which kind it is.
/// </summary>
internal interface IExchangeKind
{
    /// <summary>The kind's options type, bound from the API's section.</summary>
    Type OptionsType { get; }

    /// <summary>False for kinds that obtain nothing (<see cref="CredentialFreeExchangeKind{TOptions}"/>).</summary>
    bool ExchangesCredential { get; }

    /// <summary>False only when the API can be called without a signed-in caller.</summary>
    bool RequiresCaller { get; }

    /// <summary>True when the caller's own validated <c>Authorization</c> travels on.</summary>
    bool KeepsCallerAuthorization { get; }

    /// <summary>Header names the kind owns whatever its settings: removed from every inbound request on every route.</summary>
    IReadOnlyList<string> OwnedHeaders { get; }

    /// <summary>Header name prefixes the kind owns: every inbound header that starts with one is removed on every route.</summary>
    IReadOnlyList<string> OwnedHeaderPrefixes { get; }

    /// <summary>The credential types the kind yields, so the shared cache can store them.</summary>
    IReadOnlyList<Type> CredentialTypes { get; }

    void Validate(object options, ExchangeValidationContext context);

    IEnumerable<string> CredentialHeaders(object options);

    /// <summary>The audiences of the tokens the kind obtains, where it knows them: the gateway warns when it accepts one of them inbound.</summary>
    IEnumerable<string> CredentialAudiences(object options);

    ValueTask<bool> PrepareAsync(HttpContext context, ApiDefinition api);

    Task<DelegatedCredential> ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken);

    /// <summary>The outbound hook: what the kind adds to the request as it leaves (its credential, a header, a signature).</summary>
    /// <param name="context">YARP's request transform context.</param>
    /// <param name="api">The route's API.</param>
    /// <param name="credential">What the exchange yielded; null for a kind that obtains nothing.</param>
    void Apply(RequestTransformContext context, ApiDefinition api, DelegatedCredential? credential);
}
