using System.Security.Claims;

namespace WamsGateway.Exchanges;

/// <summary>One caller, one API: everything an exchange needs.</summary>
/// <typeparam name="TOptions">The kind's settings.</typeparam>
/// <param name="ApiName">The API's name under <c>Gateway:Apis</c>.</param>
/// <param name="Options">The API's settings for this kind.</param>
/// <param name="SubjectToken">The caller's validated bearer token. Never log it, never use it as a key.</param>
/// <param name="User">The caller's claims, from that token.</param>
/// <param name="SubjectExpiresAt">The caller's token's <c>exp</c>; the credential is cached no longer than this.</param>
public sealed record ExchangeRequest<TOptions>(string ApiName, TOptions Options, string SubjectToken, ClaimsPrincipal User, DateTimeOffset SubjectExpiresAt)
    where TOptions : class
{
    /// <summary>
    /// The configured name of the authority that issued <see cref="SubjectToken"/> (<c>default</c> for
    /// <c>Gateway:Authentication</c>'s own, or a name under <c>Authorities</c>); null when not known.
    /// </summary>
    public string? AuthorityName { get; init; }

    /// <summary>
    /// That authority's URL as configured (its <c>Authority</c>): exchanges that go to the identity provider go to
    /// the one that issued the caller's token. Null when not known: use the default authority.
    /// </summary>
    public string? Authority { get; init; }

    /// <summary>The calling application: <c>azp</c>, else RFC 9068's <c>client_id</c>.</summary>
    public string? ClientId => Authentication.CallerClaims.ClientId(User);

    /// <summary>Keeps the token out of any accidental ToString.</summary>
    /// <returns>The API's name only.</returns>
    public override string ToString() => $"ExchangeRequest {{ ApiName = {ApiName} }}";
}
