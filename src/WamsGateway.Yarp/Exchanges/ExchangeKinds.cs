using Microsoft.Extensions.DependencyInjection;

namespace WamsGateway.Exchanges;

/// <summary>One registered kind: the name <c>Exchange</c> takes, the kind's type and its options type.</summary>
internal sealed record ExchangeKindRegistration(string Name, Type KindType, Type OptionsType)
{
    public static ExchangeKindRegistration For(string name, Type kindType)
    {
        for (var type = kindType; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ExchangeKind<>))
            {
                return new ExchangeKindRegistration(name, kindType, type.GetGenericArguments()[0]);
            }
        }

        // The built-in kinds that obtain nothing have no options of their own.
        return new ExchangeKindRegistration(name, kindType, typeof(NoOptions));
    }
}

/// <summary>Settings of a kind that has none.</summary>
internal sealed class NoOptions
{
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
}
