using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Authentication;
using WamsGateway.Caching;

namespace WamsGateway.Assertions;

/// <summary>
/// Signs the assertion a backend receives: <c>iss</c>, <c>aud</c>, <c>sub</c>, <c>iat</c>, <c>exp</c>,
/// <c>jti</c>, <c>azp</c>, <c>idp</c> (the issuer of the caller's token), <c>email</c> (and <c>email_verified</c>) when the caller's token has it, and with <c>BindRequest</c>
/// <c>htm</c> and <c>htu</c>; <c>typ</c> <see cref="TokenType"/> (RFC 8725, explicit typing). Unbound
/// assertions are kept per (API, caller token) and reused until <see cref="ReuseMargin"/> before they expire.
/// </summary>
internal sealed class AssertionIssuer
{
    /// <summary>The JWT header's <c>typ</c>: a backend may require it (JwtBearer's <c>ValidTypes</c>).</summary>
    public const string TokenType = "gateway-assertion+jwt";

    public const string MemoryCacheKey = "assertions";

    private readonly string _issuer;
    private readonly TimeProvider _time;
    private readonly IMemoryCache _cache;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public AssertionIssuer(string issuer, TimeProvider time, IMemoryCache cache)
    {
        _issuer = issuer;
        _time = time;
        _cache = cache;
    }

    /// <summary>A reused assertion has at least this much of its life left (a quarter of it, at most 15 seconds).</summary>
    public static TimeSpan ReuseMargin(TimeSpan lifetime) => TimeSpan.FromTicks(Math.Min(lifetime.Ticks / 4, TimeSpan.FromSeconds(15).Ticks));

    /// <summary>An unbound assertion for this caller and API: the kept one while it has life enough, else a new one, kept.</summary>
    public string Unbound(AssertionKeySet keys, string api, ApiAssertionSettings settings, ClaimsPrincipal user, CallerFacts caller, string callerToken)
    {
        var key = string.Concat(api, ":", DelegationCacheKey.HashOf(callerToken));
        if (_cache.TryGetValue(key, out Kept? kept) && ReferenceEquals(kept!.Settings, settings))
        {
            return kept.Value;
        }

        var value = Sign(keys.Signing, settings, user, caller, null, null, out var expires);
        var reuseUntil = expires - ReuseMargin(settings.Lifetime);
        if (reuseUntil > _time.GetUtcNow())
        {
            using var entry = _cache.CreateEntry(key);
            entry.Value = new Kept(settings, value);
            entry.Size = 1;
            entry.AbsoluteExpiration = reuseUntil;
        }

        return value;
    }

    /// <summary>A new assertion; bound to the method and URL when both are given.</summary>
    /// <param name="key">The key that signs.</param>
    /// <param name="settings">The API's assertion settings.</param>
    /// <param name="user">The caller.</param>
    /// <param name="caller">The caller's authority as configured, and whether its token vouches for its email (<see cref="CallerFacts"/>).</param>
    /// <param name="method">The method to bind, or null.</param>
    /// <param name="url">The URL to bind, or null.</param>
    /// <param name="expires">When the assertion expires.</param>
    public string Sign(AssertionKey key, ApiAssertionSettings settings, ClaimsPrincipal user, CallerFacts caller, string? method, string? url, out DateTimeOffset expires)
    {
        var now = _time.GetUtcNow();
        expires = now + settings.Lifetime;
        if (NumericDate.TryParse(user.FindFirst("exp")?.Value, out var callerExpires) && callerExpires < expires)
        {
            expires = callerExpires;
        }

        // Whole seconds, rounded down: never a fraction of a second past the caller's token.
        expires = DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds());

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = user.FindFirst("sub")?.Value ?? throw new InvalidOperationException("The caller has no sub claim."),
            ["jti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
        };
        if (CallerClaims.ClientId(user) is { } client)
        {
            claims[CallerClaims.AuthorizedParty] = client;
        }

        // The authority the caller came from, as configured: a sub is unique only within its tenant, so the backend needs both.
        if (caller.Issuer is { Length: > 0 } callerIssuer)
        {
            claims["idp"] = callerIssuer;
        }

        if (CallerClaims.Single(user, CallerClaims.Email) is { } email)
        {
            claims[CallerClaims.Email] = email;

            // Whether the address was verified is the authority's to say, as the JSON value true; without its word, it was not.
            claims[CallerClaims.EmailVerifiedClaim] = caller.EmailVerified;
        }

        if (method is not null && url is not null)
        {
            claims["htm"] = method;
            claims["htu"] = url;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuer,
            Audience = settings.Audience,
            IssuedAt = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            TokenType = TokenType,
            SigningCredentials = key.Credentials,
        });
    }

    private sealed record Kept(ApiAssertionSettings Settings, string Value);
}
