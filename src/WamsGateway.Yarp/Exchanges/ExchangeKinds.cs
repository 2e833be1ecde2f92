using Microsoft.Extensions.DependencyInjection;

namespace WamsGateway.Exchanges;

/// <summary>One registered kind: the name <c>Exchange</c> takes, the kind's type and its options type.</summary>
internal sealed record ExchangeKindRegistration(string Name, Type KindType, Type OptionsType)
{
    public static ExchangeKindRegistration For(string name, Type kindType)
    {
        for (var type = kindType; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(ExchangeKind<>) || type.GetGenericTypeDefinition() == typeof(CredentialFreeExchangeKind<>)))
            {
                return new ExchangeKindRegistration(name, kindType, type.GetGenericArguments()[0]);
            }
        }

        throw new ArgumentException($"{kindType.Name} is not an exchange kind; derive it from ExchangeKind<TOptions>, BearerExchangeKind<TOptions> or CredentialFreeExchangeKind<TOptions>.", nameof(kindType));
    }
}

/// <summary>The registered kinds by name (any case), as DI created them.</summary>
internal sealed class ExchangeKinds
{
    private readonly Dictionary<string, (ExchangeKindRegistration Registration, Lazy<IExchangeKind> Kind)> _kinds;

    public ExchangeKinds(IEnumerable<ExchangeKindRegistration> registrations, IServiceProvider services)
    {
        _kinds = new(StringComparer.OrdinalIgnoreCase);
        foreach (var registration in registrations)
        {
            _kinds[registration.Name] = (registration, new Lazy<IExchangeKind>(() => (IExchangeKind)services.GetRequiredService(registration.KindType)));
        }

        Names = _kinds.Values.Select(k => k.Registration.Name).ToList();
        OptionsTypes = _kinds.Values.Select(k => k.Registration.OptionsType).Distinct().ToList();
    }

    /// <summary>Every kind's options type.</summary>
    public IReadOnlyList<Type> OptionsTypes { get; }

    /// <summary>Every name, in registration order.</summary>
    public IReadOnlyList<string> Names { get; }

    public ExchangeKindRegistration? Registration(string? name) =>
        name is not null && _kinds.TryGetValue(name, out var kind) ? kind.Registration : null;

    public IExchangeKind? Find(string? name) =>
        name is not null && _kinds.TryGetValue(name, out var kind) ? kind.Kind.Value : null;

    public IEnumerable<IExchangeKind> All => _kinds.Values.Select(k => k.Kind.Value);

    /// <summary>Every kind's <see cref="IExchangeKind.OwnedHeaders"/>: the gateway's on every route.</summary>
    public IEnumerable<string> OwnedHeaders => All.SelectMany(k => k.OwnedHeaders);

    /// <summary>Every kind's <see cref="IExchangeKind.OwnedHeaderPrefixes"/>: the gateway's on every route.</summary>
    public IReadOnlyList<string> OwnedHeaderPrefixes => All.SelectMany(k => k.OwnedHeaderPrefixes).Distinct(Forwarding.HeaderNameComparer.Instance).ToList();

    /// <summary>Every header a kind owns or an API's kind sets, and every API's <c>TokenHeader</c>: no claim may go there.</summary>
    public HashSet<string> CredentialHeaders(Configuration.WamsGatewayOptions options)
    {
        var credentials = new HashSet<string>(Forwarding.HeaderNameComparer.Instance);
        credentials.UnionWith(OwnedHeaders);
        credentials.UnionWith(options.Apis.Values.Select(a => a.TokenHeader).OfType<string>());
        foreach (var api in options.Apis.Values)
        {
            // Settings of another kind's type (set in code) are the validator's to report, not to read.
            if (Find(api.Exchange) is { } kind && Registration(api.Exchange)!.OptionsType.IsInstanceOfType(api.Settings))
            {
                credentials.UnionWith(kind.CredentialHeaders(api.Settings));
            }
        }

        return credentials;
    }

    /// <summary>Whether the API named <paramref name="name"/> needs a signed-in caller; null when it is not defined.</summary>
    public bool? RequiresCaller(Configuration.WamsGatewayOptions options, string name) =>
        options.Apis.TryGetValue(name, out var api) ? api.RequiresCaller(Find(api.Exchange)) : null;
}
