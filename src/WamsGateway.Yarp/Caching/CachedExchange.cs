using WamsGateway.Exchanges;

namespace WamsGateway.Caching;

/// <summary>
/// What one cache entry holds for one caller and API: the credential, or the remembered fact that the
/// provider was unavailable moments ago. <see cref="Owner"/> names the caller's token (its hash), so a
/// value that reaches another caller's key is recognised and never served.
/// </summary>
/// <param name="Owner">The SHA-256 (base64url) of the token this entry was obtained for.</param>
/// <param name="Credential">The credential, when the exchange succeeded.</param>
/// <param name="RetryAt">When the provider was unavailable: when it may be asked again.</param>
/// <param name="ProviderError">When the provider was unavailable: its error code, if it gave one.</param>
internal sealed record CachedExchange(string Owner, DelegatedCredential? Credential, DateTimeOffset? RetryAt = null, string? ProviderError = null);
