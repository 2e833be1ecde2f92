using Microsoft.Extensions.DependencyInjection.Extensions;
using WamsGateway.Configuration;
using WamsGateway.Exchanges;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddWamsGateway</c> returns: the gateway's services, and the exchange kinds an API may name.</summary>
public sealed class WamsGatewayBuilder
{
    internal WamsGatewayBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The host's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers an exchange kind under <paramref name="name"/>, the value an API's <c>Exchange</c> takes
    /// (compared in any case). The kind is a singleton created by dependency injection.
    /// </summary>
    /// <typeparam name="TKind">A subclass of <see cref="ExchangeKind{TOptions}"/>, <see cref="BearerExchangeKind{TOptions}"/> or <see cref="CredentialFreeExchangeKind{TOptions}"/>.</typeparam>
    /// <param name="name">Letters, digits, <c>-</c> and <c>_</c>; not a name already registered.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name, or <typeparamref name="TKind"/> is not an exchange kind.</exception>
    /// <exception cref="InvalidOperationException">A kind is registered under <paramref name="name"/> already.</exception>
    public WamsGatewayBuilder AddExchangeKind<TKind>(string name)
        where TKind : class
    {
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"'{name}' is not an exchange kind name: use letters, digits, '-' and '_'.", nameof(name));
        }

        if (!typeof(IExchangeKind).IsAssignableFrom(typeof(TKind)))
        {
            throw new ArgumentException($"{typeof(TKind).Name} is not an exchange kind; derive it from ExchangeKind<TOptions>, BearerExchangeKind<TOptions> or CredentialFreeExchangeKind<TOptions>.", nameof(TKind));
        }

        if (Services.Any(d => d.ServiceType == typeof(ExchangeKindRegistration) && d.ImplementationInstance is ExchangeKindRegistration r
            && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"An exchange kind named '{name}' is registered already.");
        }

        Services.TryAddSingleton<TKind>();
        Services.AddSingleton(ExchangeKindRegistration.For(name, typeof(TKind)));
        return this;
    }
}
