using WamsGateway.Configuration;
using WamsGateway.Delegation;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Exchanges;

/// <summary>
/// A kind that obtains nothing per caller: no exchange, no cache entry. It may still need a signed-in caller
/// (or not), keep the caller's <c>Authorization</c> (or not), own headers, and add to every forwarded request of
/// its APIs (<see cref="Apply"/>). The built-in <c>None</c> and <c>Passthrough</c> are such kinds. Register one with
/// <see cref="Microsoft.Extensions.DependencyInjection.WamsGatewayBuilder.AddExchangeKind{TKind}(string)"/>.
/// </summary>
/// <typeparam name="TOptions">The kind's settings, next to <c>Exchange</c>, <c>AllowedClients</c> and <c>RequiredScopes</c> in the API's section.</typeparam>
public abstract class CredentialFreeExchangeKind<TOptions> : IExchangeKind
    where TOptions : class, new()
{
    /// <summary>
    /// False when the API can be called without a signed-in caller (on a route marked <c>"AuthorizationPolicy": "anonymous"</c>,
    /// and only while the API names no clients, scopes or assertion); true, the default, requires one.
    /// </summary>
    public virtual bool RequiresCaller => true;

    /// <summary>True when the caller's own validated <c>Authorization</c> travels on to the backend; false, the default, drops it.</summary>
    public virtual bool KeepsCallerAuthorization => false;

    /// <summary>Header names this kind owns whatever an API's settings say: no caller's copy passes on any route.</summary>
    public virtual IReadOnlyList<string> OwnedHeaders { get; } = [];

    /// <summary>Header name prefixes this kind owns: every inbound header that starts with one is removed on every route.</summary>
    public virtual IReadOnlyList<string> OwnedHeaderPrefixes { get; } = [];

    Type IExchangeKind.OptionsType => typeof(TOptions);

    bool IExchangeKind.ExchangesCredential => false;

    IReadOnlyList<Type> IExchangeKind.CredentialTypes => [];

    /// <summary>Checks the options as bound, reporting every problem through <paramref name="context"/>; runs at start and on every reload.</summary>
    /// <param name="options">The API's settings for this kind.</param>
    /// <param name="context">Collects problems, each under its key.</param>
    public virtual void Validate(TOptions options, ExchangeValidationContext context)
    {
    }

    /// <summary>The header names this kind sets for an API with these settings; inbound copies are removed on every route.</summary>
    /// <param name="options">The API's settings for this kind.</param>
    public virtual IEnumerable<string> Headers(TOptions options) => [];

    /// <summary>Runs in the proxy pipeline after the API's policy. Returns false when it has answered the request itself.</summary>
    /// <param name="context">The request.</param>
    /// <param name="apiName">The API's name under <c>Gateway:Apis</c>.</param>
    /// <param name="options">The API's settings for this kind.</param>
    public virtual ValueTask<bool> PrepareAsync(HttpContext context, string apiName, TOptions options) => ValueTask.FromResult(true);

    /// <summary>Adds to the outgoing request. Runs after every inbound copy of every credential and identity header was removed.</summary>
    /// <param name="context">YARP's request transform context.</param>
    /// <param name="options">The API's settings for this kind.</param>
    public virtual void Apply(RequestTransformContext context, TOptions options)
    {
    }

    void IExchangeKind.Validate(object options, ExchangeValidationContext context) => Validate((TOptions)options, context);

    IEnumerable<string> IExchangeKind.CredentialHeaders(object options) => Headers((TOptions)options);

    IEnumerable<string> IExchangeKind.CredentialAudiences(object options) => [];

    ValueTask<bool> IExchangeKind.PrepareAsync(HttpContext context, ApiDefinition api) => PrepareAsync(context, api.Name, (TOptions)api.Settings);

    Task<DelegatedCredential> IExchangeKind.ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"API '{request.Api.Name}' ({request.Api.KindName}) obtains no credential.");

    void IExchangeKind.Apply(RequestTransformContext context, ApiDefinition api, DelegatedCredential? credential) => Apply(context, (TOptions)api.Settings);
}
