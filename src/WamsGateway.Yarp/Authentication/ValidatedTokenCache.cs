using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Caching;
using WamsGateway.Configuration;

namespace WamsGateway.Authentication;

/// <summary>
/// JwtBearer's token handler with a memory in front of it, as Envoy's <c>jwt_cache_config</c>: a token
/// whose signature and claims were checked is reused without checking again until the earlier of its
/// <c>exp</c> and <see cref="TokenCacheSettings.MaxAge"/>. Bounded by <see cref="TokenCacheSettings.MaxEntries"/>,
/// and by <see cref="TokenCacheSettings.MaxTokenLength"/> (longer tokens are validated every time and never
/// kept). A changed set of signing keys at the authority empties it, so a key removed from the JWKS stops
/// validating at the next metadata refresh. Failures are never kept: every bad token is checked, and refused,
/// every time. A token it holds is also what the gateway's scheme authenticates in one step
/// (<see cref="TryGetValidated"/>, <see cref="GatewayAuthenticationHandler"/>), with the facts about the caller that
/// every request needs computed once per token (<see cref="ValidatedCaller"/>).
/// </summary>
internal sealed class ValidatedTokenCache : TokenHandler, IDisposable
{
    private readonly TokenHandler _inner;
    private readonly Func<long> _currentKeySet;
    private readonly TimeProvider _time;
    private readonly TokenCacheSettings _settings;
    private readonly MemoryCache _cache;
    private long _keySetVersion;
    private long _validations;

    /// <param name="inner">The handler that really validates.</param>
    /// <param name="currentKeySet">The authority's key-set version (<see cref="AuthorityMetadata.KeySetVersion"/>).</param>
    /// <param name="settings">The cache's bounds.</param>
    /// <param name="time">The clock entries expire by.</param>
    public ValidatedTokenCache(TokenHandler inner, Func<long> currentKeySet, TokenCacheSettings settings, TimeProvider time)
    {
        _inner = inner;
        _currentKeySet = currentKeySet;
        _settings = settings;
        _time = time;
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            Clock = new TimeProviderClock(time),
            SizeLimit = settings.MaxEntries,
            CompactionPercentage = 0.1,
        });
        _keySetVersion = currentKeySet();
    }

    /// <summary>How many times a token was really validated (signature and claims), for tests and diagnostics.</summary>
    public long Validations => Interlocked.Read(ref _validations);

    /// <summary>How many tokens are kept now.</summary>
    public long Count => _cache.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var cacheable = Cacheable(token);
        if (cacheable && TryGetValidated(token, out var validated))
        {
            return validated.Result();
        }

        Interlocked.Increment(ref _validations);
        var version = _currentKeySet();
        var result = await _inner.ValidateTokenAsync(token, validationParameters);
        if (cacheable && result.IsValid && Expiry(result) is { } expiresAt)
        {
            _cache.Set(token, new ValidatedCaller(token, result, TokenPayload.Read(token), expiresAt, version), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expiresAt });
        }

        return result;
    }

    /// <summary>
    /// The token as validated before, when it is kept and still good: not past the earlier of its <c>exp</c> and
    /// <see cref="TokenCacheSettings.MaxAge"/>, validated with the authority's current set of keys. No key is read and
    /// nothing is validated here; a token it does not hold is validated by JwtBearer, as always.
    /// </summary>
    public bool TryGetValidated(string token, [NotNullWhen(true)] out ValidatedCaller? validated)
    {
        if (Cacheable(token))
        {
            ForgetIfKeysChanged();
            if (_cache.TryGetValue(token, out validated) && validated!.KeySetVersion == Interlocked.Read(ref _keySetVersion) && validated.ExpiresAt > _time.GetUtcNow())
            {
                return true;
            }
        }

        validated = null;
        return false;
    }

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);

    private bool Cacheable(string token) => _settings.Enabled && token.Length <= _settings.MaxTokenLength;

    public void Dispose() => _cache.Dispose();

    /// <summary>
    /// The earlier of the token's expiry (as the handler's lifetime check read it) and now + MaxAge; null
    /// when the token's dates are not ones to keep.
    /// </summary>
    private DateTimeOffset? Expiry(TokenValidationResult result)
    {
        if (result.ClaimsIdentity is not { } identity || !NumericDate.AreUsable(new ClaimsPrincipal(identity))
            || result.SecurityToken is not { ValidTo: var validTo } || validTo <= DateTime.UnixEpoch)
        {
            return null;
        }

        var exp = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
        var latest = _time.GetUtcNow() + _settings.MaxAge;
        return exp < latest ? exp : latest;
    }

    private void ForgetIfKeysChanged()
    {
        var current = _currentKeySet();
        var seen = Interlocked.Read(ref _keySetVersion);
        if (current != seen && Interlocked.CompareExchange(ref _keySetVersion, current, seen) == seen)
        {
            _cache.Clear();
        }
    }

    /// <summary>The validated token as a cache hit reports it: its identifier, issuer, lifetime and signing key.</summary>
    internal sealed class ValidatedTokenSummary(SecurityToken token) : SecurityToken
    {
        public override string Id { get; } = token.Id;

        public override string Issuer { get; } = token.Issuer;

        public override SecurityKey? SecurityKey => null;

        public override SecurityKey SigningKey { get; set; } = token.SigningKey;

        public override DateTime ValidFrom { get; } = token.ValidFrom;

        public override DateTime ValidTo { get; } = token.ValidTo;

        public override string UnsafeToString() => "(a validated token, reused from the token cache)";
    }
}
