namespace WamsGateway.Exchanges;

/// <summary>
/// What an exchange yields for one caller and API. A kind returns one of its own credential types
/// (<see cref="ExchangeKind{TOptions}.CredentialTypes"/>), which the shared cache stores encrypted.
/// </summary>
/// <param name="ExpiresAt">When the credential stops working; the cache keeps it no longer (less its safety margin).</param>
public abstract record DelegatedCredential(DateTimeOffset ExpiresAt);

/// <summary>One token, sent in a header.</summary>
/// <param name="Token">The bearer or ZUMO token. Never logged.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record BearerCredential(string Token, DateTimeOffset ExpiresAt) : DelegatedCredential(ExpiresAt)
{
    /// <summary>Keeps the token out of any accidental ToString.</summary>
    /// <returns>The type and expiry only.</returns>
    public override string ToString() => $"BearerCredential {{ ExpiresAt = {ExpiresAt:O} }}";
}
