using Microsoft.Net.Http.Headers;
using WamsGateway.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Exchanges;

/// <summary>Settings of every kind whose credential is one token sent in a header.</summary>
public class BearerExchangeOptions
{
    /// <summary>The header that carries the token (<c>Inject</c>); <c>Authorization</c>, the default, gets a <c>Bearer</c> prefix.</summary>
    public string? Inject { get; set; }

    /// <summary>The header the token goes in.</summary>
    public string InjectHeader => string.IsNullOrWhiteSpace(Inject) ? HeaderNames.Authorization : Inject;
}

/// <summary>
/// A kind whose credential is a <see cref="BearerCredential"/> sent in the API's <c>Inject</c> header:
/// <c>Authorization: Bearer &lt;token&gt;</c>, or the bare token in any other header (<c>X-ZUMO-AUTH</c>).
/// </summary>
/// <typeparam name="TOptions">The kind's settings, with <c>Inject</c>.</typeparam>
public abstract class BearerExchangeKind<TOptions> : ExchangeKind<TOptions>
    where TOptions : BearerExchangeOptions, new()
{
    /// <inheritdoc/>
    public override IEnumerable<string> CredentialHeaders(TOptions options) => [options.InjectHeader];

    /// <summary>Checks <c>Inject</c>; kinds that override this call it too.</summary>
    /// <param name="options">The API's settings for this kind.</param>
    /// <param name="context">Collects problems, each under its key.</param>
    public override void Validate(TOptions options, ExchangeValidationContext context)
    {
        if (options.Inject is { } inject && !HttpHeaderNames.CanCarryCredential(inject))
        {
            context.Problem("Inject", $"'{inject}' cannot carry a credential; name a header such as Authorization or X-ZUMO-AUTH.");
        }
    }

    /// <inheritdoc/>
    public override void Apply(RequestTransformContext context, TOptions options, DelegatedCredential credential)
    {
        var bearer = credential as BearerCredential
            ?? throw new InvalidOperationException($"{GetType().Name} returned a {credential.GetType().Name}; a bearer kind sends a {nameof(BearerCredential)}.");
        var header = options.InjectHeader;
        RequestTransform.AddHeader(context, header, header.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase) ? bearer.AuthorizationValue : bearer.Token);
    }
}
