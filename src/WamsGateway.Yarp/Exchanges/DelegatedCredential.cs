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
    private string? _authorization;

    /// <summary>
    /// <c>Bearer &lt;token&gt;</c>, built once per credential: the cache hands every request the same instance, so the
    /// hot path sends the same string instead of joining one per request. Not serialized, not compared.
    /// </summary>
    internal string AuthorizationValue => _authorization ??= "Bearer " + Token;

    /// <summary>
    /// A copy (<c>with</c>) builds its own <see cref="AuthorizationValue"/>, from its own token. Written out because the
    /// compiler's copy would keep the original's value: a property added to this record is copied here too.
    /// </summary>
    /// <param name="original">The credential copied.</param>
    private BearerCredential(BearerCredential original)
        : base(original)
    {
        Token = original.Token;
    }

    /// <summary>Equal when the token and expiry are.</summary>
    /// <param name="other">The other credential.</param>
    /// <returns>True for the same token and expiry.</returns>
    public bool Equals(BearerCredential? other) =>
        other is not null && string.Equals(Token, other.Token, StringComparison.Ordinal) && ExpiresAt == other.ExpiresAt;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Token, ExpiresAt);

    /// <summary>Keeps the token out of any accidental ToString.</summary>
    /// <returns>The type and expiry only.</returns>
    public override string ToString() => $"BearerCredential {{ ExpiresAt = {ExpiresAt:O} }}";
}
