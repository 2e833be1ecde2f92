namespace WamsGateway.Exchanges;

/// <summary>
/// What an exchange yields for one caller and API. A kind returns one of its own credential types
/// (<see cref="ExchangeKind{TOptions}.CredentialTypes"/>), which the shared cache stores encrypted.
/// </summary>
/// <param name="ExpiresAt">When the credential stops working; the cache keeps it no longer (less its safety margin).</param>
public abstract record DelegatedCredential(DateTimeOffset ExpiresAt);

/// <summary>One token, sent in a header.</summary>
public sealed record BearerCredential : DelegatedCredential
{
    private readonly string _token = string.Empty;

    /// <summary>One token, sent in a header.</summary>
    /// <param name="token">The bearer or ZUMO token. Never logged.</param>
    /// <param name="expiresAt">When it stops working.</param>
    public BearerCredential(string token, DateTimeOffset expiresAt)
        : base(expiresAt)
    {
        Token = token;
    }

    /// <summary>The bearer or ZUMO token. Never logged.</summary>
    public string Token
    {
        get => _token;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _token = value;

            // Built once per credential, not once per request that sends it.
            AuthorizationValue = "Bearer " + value;
        }
    }

    /// <summary><c>Bearer</c> and the token, as an <c>Authorization</c> header carries it.</summary>
    internal string AuthorizationValue { get; private init; } = string.Empty;

    /// <summary>Keeps the token out of any accidental ToString.</summary>
    /// <returns>The type and expiry only.</returns>
    public override string ToString() => $"BearerCredential {{ ExpiresAt = {ExpiresAt:O} }}";
}
