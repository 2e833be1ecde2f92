using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

/// <summary>
/// Turns the caller's token into the credential one kind of downstream API accepts. One
/// implementation per <see cref="ExchangeKind"/>; the cache wraps them all.
/// </summary>
public interface IDelegationClient
{
    ExchangeKind Kind { get; }

    /// <exception cref="DelegationException">The provider refused, was unavailable, or answered nonsense.</exception>
    Task<DelegatedCredential> ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken);
}
