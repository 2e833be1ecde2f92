using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Caching;

namespace WamsGateway.Authentication;

/// <summary>
/// One validated token as the validated-token cache keeps it: until when it may be reused, and what a request needs of
/// it, computed once per token instead of once per request. That is an identity of the validated one's type holding
/// detached copies of its claims (taken before any event or claims transformation saw them), a summary of the token, the
/// payload's facts the gateway reads before validation (<see cref="TokenPayload"/>), the token's <c>exp</c>, and the
/// SHA-256 that names the caller in the delegation cache. The parsed token (its JSON, its encoded parts) is left to the
/// collector, so an entry costs its claims.
/// </summary>
internal sealed class ValidatedCaller
{
    private readonly ClaimsIdentity _template;
    private readonly SecurityToken? _token;
    private readonly string _issuer;
    private readonly string _tokenType;

    public ValidatedCaller(string token, TokenValidationResult result, TokenPayload payload, DateTimeOffset expiresAt, long keySetVersion)
    {
        _template = Detached(result.ClaimsIdentity);
        _token = result.SecurityToken is { } validated ? new ValidatedTokenCache.ValidatedTokenSummary(validated) : null;
        _issuer = result.Issuer;
        _tokenType = result.TokenType;
        ExpiresAt = expiresAt;
        KeySetVersion = keySetVersion;
        Payload = payload;
        SubjectExpiresAt = result.SecurityToken is { ValidTo: var validTo } && validTo > DateTime.UnixEpoch
            ? new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc))
            : DateTimeOffset.UnixEpoch;
        OwnerHash = DelegationCacheKey.HashOf(token);
    }

    /// <summary>Until when it may be reused: the earlier of the token's <c>exp</c> and the cache's <c>MaxAge</c>.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The authority's key-set version it was validated with (<see cref="AuthorityMetadata.KeySetVersion"/>).</summary>
    public long KeySetVersion { get; }

    /// <summary>What the payload says before validation (issuer, actor, email verification), as it was read then.</summary>
    public TokenPayload Payload { get; }

    /// <summary>The token's <c>exp</c>: how long a credential obtained for it may be kept.</summary>
    public DateTimeOffset SubjectExpiresAt { get; }

    /// <summary>The token's SHA-256, base64url (<see cref="DelegationCacheKey.HashOf"/>): the owner of its delegation cache entries.</summary>
    public string OwnerHash { get; }

    /// <summary>The caller for one request: a new identity each time, as the first validation's was (a request's handlers may add claims to theirs).</summary>
    public ClaimsPrincipal NewPrincipal() => new(_template.Clone());

    /// <summary>The validation result JwtBearer gets on a hit.</summary>
    public TokenValidationResult Result() => new()
    {
        IsValid = true,
        ClaimsIdentity = _template.Clone(),
        SecurityToken = _token,
        Issuer = _issuer,
        TokenType = _tokenType,
    };

    // The same type (CaseSensitiveClaimsIdentity, or ClaimsIdentity where a host switched IdentityModel to it), so claim
    // lookups match on a hit exactly as they did on the first validation.
    private static ClaimsIdentity Detached(ClaimsIdentity identity)
    {
        var claims = identity.Claims.Select(claim => claim.Clone());
        return identity is CaseSensitiveClaimsIdentity
            ? new CaseSensitiveClaimsIdentity(claims, identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType)
            : new ClaimsIdentity(claims, identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType);
    }
}
