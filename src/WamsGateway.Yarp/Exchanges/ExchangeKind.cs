using WamsGateway.Configuration;
using WamsGateway.Delegation;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Exchanges;

/// <summary>
/// One way of obtaining the credential an API receives: the value of <c>Gateway:Apis:&lt;name&gt;:Exchange</c>.
/// A kind owns everything about itself: its options (bound from the API's section), their validation,
/// the exchange, what it adds to the forwarded request (<see cref="Apply"/>, the outbound hook: a header, or a
/// signature over the request as it leaves), the headers it owns, and anything the request needs before the exchange.
/// A kind that obtains nothing per caller derives from <see cref="CredentialFreeExchangeKind{TOptions}"/> instead.
/// Register one with <see cref="Microsoft.Extensions.DependencyInjection.WamsGatewayBuilder.AddExchangeKind{TKind}(string)"/>.
/// </summary>
/// <remarks>
/// Kinds are singletons created by dependency injection. The gateway caches what
/// <see cref="ExchangeAsync"/> returns per caller token and API, keyed by a fingerprint of
/// <typeparamref name="TOptions"/> (every public property), so a changed setting never reuses a credential
/// obtained under the old one. A kind's constructor must not read <c>IOptions&lt;...&gt;.Value</c> of the
/// gateway's options: validation runs while those are being created.
/// </remarks>
/// <typeparam name="TOptions">The kind's settings, next to <c>Exchange</c>, <c>AllowedClients</c> and <c>RequiredScopes</c> in the API's section.</typeparam>
public abstract class ExchangeKind<TOptions> : IExchangeKind
    where TOptions : class, new()
{
    /// <summary>The credential types <see cref="ExchangeAsync"/> returns; each is stored in the shared cache by its type name.</summary>
    public virtual IReadOnlyList<Type> CredentialTypes { get; } = [typeof(BearerCredential)];

    Type IExchangeKind.OptionsType => typeof(TOptions);

    bool IExchangeKind.ExchangesCredential => true;

    bool IExchangeKind.RequiresCaller => true;

    /// <summary>
    /// True when the caller's own validated <c>Authorization</c> travels on to the backend beside the credential
    /// (which then goes in a header of its own); false, the default, drops it.
    /// </summary>
    public virtual bool KeepsCallerAuthorization => false;

    /// <summary>
    /// Header names this kind owns whatever an API's settings say (a header its backends trust): no caller's copy
    /// passes on any route, whichever API the route names. Settings-dependent names go in <see cref="CredentialHeaders"/>.
    /// </summary>
    public virtual IReadOnlyList<string> OwnedHeaders { get; } = [];

    /// <summary>Header name prefixes this kind owns (<c>X-Amz-</c> for SigV4): every inbound header that starts with one is removed on every route.</summary>
    public virtual IReadOnlyList<string> OwnedHeaderPrefixes { get; } = [];

    /// <summary>Checks the options as bound, reporting every problem through <paramref name="context"/>; runs at start and on every reload.</summary>
    /// <param name="options">The API's settings for this kind.</param>
    /// <param name="context">Collects problems, each under its key.</param>
    public virtual void Validate(TOptions options, ExchangeValidationContext context)
    {
    }

    /// <summary>
    /// The header names this kind sets on forwarded requests. Inbound copies of them are removed on
    /// every route, whatever the route's API, so no caller can bring its own.
    /// </summary>
    /// <param name="options">The API's settings for this kind.</param>
    public virtual IEnumerable<string> CredentialHeaders(TOptions options) => [];

    /// <summary>
    /// The audiences (<c>aud</c>) of the tokens this kind obtains, where the settings name them. When the gateway itself
    /// accepts one of them inbound, a backend that receives such a credential could present it back to the gateway as the
    /// user; the gateway warns at start and on reload, and refuses delegated tokens (<c>act</c>) unless an API allows the actor.
    /// </summary>
    /// <param name="options">The API's settings for this kind.</param>
    public virtual IEnumerable<string> CredentialAudiences(TOptions options) => [];

    /// <summary>
    /// Runs in the proxy pipeline after the API's policy and before the exchange. Returns false when it
    /// has answered the request itself (the request is then neither exchanged nor forwarded).
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="apiName">The API's name under <c>Gateway:Apis</c>.</param>
    /// <param name="options">The API's settings for this kind.</param>
    public virtual ValueTask<bool> PrepareAsync(HttpContext context, string apiName, TOptions options) => ValueTask.FromResult(true);

    /// <summary>Obtains the credential for one caller and API. Called at most once per caller token and API at a time, across the fleet.</summary>
    /// <param name="request">The caller, its validated token and the API's settings.</param>
    /// <param name="cancellationToken">Cancelled when nobody waits for the outcome any more.</param>
    /// <exception cref="DelegationException">The provider refused, was unavailable, or answered something unusable.</exception>
    public abstract Task<DelegatedCredential> ExchangeAsync(ExchangeRequest<TOptions> request, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the credential on the outgoing request. Runs after every inbound copy of every credential and
    /// identity header was removed.
    /// </summary>
    /// <param name="context">YARP's request transform context.</param>
    /// <param name="options">The API's settings for this kind.</param>
    /// <param name="credential">What <see cref="ExchangeAsync"/> returned for this caller, possibly from the cache.</param>
    public abstract void Apply(RequestTransformContext context, TOptions options, DelegatedCredential credential);

    void IExchangeKind.Validate(object options, ExchangeValidationContext context) => Validate((TOptions)options, context);

    IEnumerable<string> IExchangeKind.CredentialHeaders(object options) => CredentialHeaders((TOptions)options);

    IEnumerable<string> IExchangeKind.CredentialAudiences(object options) => CredentialAudiences((TOptions)options);

    ValueTask<bool> IExchangeKind.PrepareAsync(HttpContext context, ApiDefinition api) => PrepareAsync(context, api.Name, (TOptions)api.Settings);

    Task<DelegatedCredential> IExchangeKind.ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken) =>
        ExchangeAsync(new ExchangeRequest<TOptions>(request.Api.Name, (TOptions)request.Api.Settings, request.SubjectToken, request.User, request.SubjectExpiresAt)
        {
            AuthorityName = request.Authority?.Name,
            Authority = request.Authority?.Address,
        }, cancellationToken);

    void IExchangeKind.Apply(RequestTransformContext context, ApiDefinition api, DelegatedCredential? credential) =>
        Apply(context, (TOptions)api.Settings, credential ?? throw new InvalidOperationException($"The delegation step did not run for API '{api.Name}', whose kind exchanges credentials."));
}
