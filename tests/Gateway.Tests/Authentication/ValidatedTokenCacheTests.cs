using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Authentication;
using WamsGateway.Configuration;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Authentication;

/// <summary>The validated-token cache on its own: what is kept, for how long, and what never is.</summary>
public sealed class ValidatedTokenCacheTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-25T12:00:00Z", CultureInfo.InvariantCulture);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly CountingHandler _inner = new();
    private long _keySet = 1;

    [Fact]
    public async Task AToken_IsValidatedOnce_ThenReused_EachRequestGettingItsOwnIdentity()
    {
        using var cache = Cache();

        var first = await cache.ValidateTokenAsync(Token(), new TokenValidationParameters());
        var second = await cache.ValidateTokenAsync(Token(), new TokenValidationParameters());

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal(1, _inner.Calls);
        Assert.Equal("auth0|alice", second.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
    }

    [Fact]
    public async Task AHit_CarriesTheSameClaimsAndLifetime_WithoutKeepingTheParsedToken()
    {
        using var cache = Cache();

        var first = await cache.ValidateTokenAsync(Token(), new TokenValidationParameters());
        var hit = await cache.ValidateTokenAsync(Token(), new TokenValidationParameters());

        Assert.Equal(
            first.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value, c.ValueType, c.Issuer)),
            hit.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value, c.ValueType, c.Issuer)));
        Assert.All(hit.ClaimsIdentity.Claims, claim => Assert.Same(hit.ClaimsIdentity, claim.Subject));
        Assert.Equal(first.ClaimsIdentity.AuthenticationType, hit.ClaimsIdentity.AuthenticationType);
        Assert.True(hit.ClaimsIdentity.IsAuthenticated);

        // JwtBearer reads the lifetime from the token; the hit reports the same, not the parsed JWT itself.
        Assert.IsType<JsonWebToken>(first.SecurityToken);
        Assert.IsNotType<JsonWebToken>(hit.SecurityToken);
        Assert.Equal(first.SecurityToken.ValidTo, hit.SecurityToken.ValidTo);
        Assert.Equal(first.SecurityToken.ValidFrom, hit.SecurityToken.ValidFrom);
        Assert.Equal(first.SecurityToken.Issuer, hit.SecurityToken.Issuer);
        Assert.DoesNotContain(Token(), hit.SecurityToken.UnsafeToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHit_GetsAnIdentityOfTheFirstValidationsType_SoClaimLookupsMatchAlike()
    {
        using var cache = Cache();

        var first = await cache.ValidateTokenAsync(Token(), new TokenValidationParameters());
        var hit = await cache.ValidateTokenAsync(Token(), new TokenValidationParameters());

        // The stand-in handler gives a plain (case-insensitive) ClaimsIdentity, as IdentityModel does where a host asks for it.
        Assert.Equal(first.ClaimsIdentity.GetType(), hit.ClaimsIdentity.GetType());
        Assert.Equal("auth0|alice", hit.ClaimsIdentity.FindFirst("SUB")?.Value);
    }

    [Fact]
    public async Task ClaimsAddedAfterValidation_DoNotReachTheNextHit()
    {
        using var cache = Cache();

        var first = await cache.ValidateTokenAsync(Token(), new TokenValidationParameters());
        first.ClaimsIdentity.AddClaim(new Claim("role", "admin"));
        var hit = await cache.ValidateTokenAsync(Token(), new TokenValidationParameters());
        hit.ClaimsIdentity.AddClaim(new Claim("role", "owner"));
        var next = await cache.ValidateTokenAsync(Token(), new TokenValidationParameters());

        Assert.Null(next.ClaimsIdentity.FindFirst("role"));
    }

    [Fact]
    public async Task Reuse_EndsAtMaxAge_WhenThatComesBeforeExp()
    {
        using var cache = Cache(maxAge: TimeSpan.FromMinutes(1));
        await cache.ValidateTokenAsync(Token(expiresIn: TimeSpan.FromHours(1)), new());

        _time.Advance(TimeSpan.FromSeconds(59));
        await cache.ValidateTokenAsync(Token(expiresIn: TimeSpan.FromHours(1)), new());
        Assert.Equal(1, _inner.Calls);

        _time.Advance(TimeSpan.FromSeconds(2));
        await cache.ValidateTokenAsync(Token(expiresIn: TimeSpan.FromHours(1)), new());
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task Reuse_EndsAtExp_WhenThatComesBeforeMaxAge()
    {
        using var cache = Cache(maxAge: TimeSpan.FromMinutes(10));
        await cache.ValidateTokenAsync(Token(expiresIn: TimeSpan.FromSeconds(30)), new());

        _time.Advance(TimeSpan.FromSeconds(29));
        await cache.ValidateTokenAsync(Token(expiresIn: TimeSpan.FromSeconds(30)), new());
        Assert.Equal(1, _inner.Calls);

        _time.Advance(TimeSpan.FromSeconds(2));
        await cache.ValidateTokenAsync(Token(expiresIn: TimeSpan.FromSeconds(30)), new());
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task Failures_AreNeverKept()
    {
        using var cache = Cache();
        _inner.Valid = false;

        var first = await cache.ValidateTokenAsync(Token(), new());
        var second = await cache.ValidateTokenAsync(Token(), new());

        Assert.False(first.IsValid);
        Assert.False(second.IsValid);
        Assert.Equal(2, _inner.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task TokensLongerThanTheLimit_AreValidatedEveryTime()
    {
        using var cache = Cache(maxTokenLength: 256);
        var token = Token() + new string('x', 300);

        await cache.ValidateTokenAsync(token, new());
        await cache.ValidateTokenAsync(token, new());

        Assert.Equal(2, _inner.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task TheEntryCount_IsBounded()
    {
        using var cache = Cache(maxEntries: 100);

        for (var i = 0; i < 1_000; i++)
        {
            await cache.ValidateTokenAsync(Token(subject: "user-" + i), new());
            Assert.True(cache.Count <= 100, $"{cache.Count} entries after {i + 1} tokens");
        }
    }

    [Fact]
    public async Task ANewKeySet_EmptiesIt()
    {
        using var cache = Cache();
        await cache.ValidateTokenAsync(Token(), new());

        _keySet++;
        await cache.ValidateTokenAsync(Token(), new());

        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task MaxAgeZero_TurnsItOff()
    {
        using var cache = Cache(maxAge: TimeSpan.Zero);

        await cache.ValidateTokenAsync(Token(), new());
        await cache.ValidateTokenAsync(Token(), new());

        Assert.Equal(2, _inner.Calls);
    }

    private ValidatedTokenCache Cache(TimeSpan? maxAge = null, int maxEntries = 1_000, int maxTokenLength = 8_192) =>
        new(_inner, () => _keySet, new TokenCacheSettings { MaxAge = maxAge ?? TimeSpan.FromMinutes(1), MaxEntries = maxEntries, MaxTokenLength = maxTokenLength }, _time);

    // The handler below reads the subject and expiry back out of this stand-in token.
    private static string Token(string subject = "auth0|alice", TimeSpan? expiresIn = null) =>
        $"{subject};{(Start + (expiresIn ?? TimeSpan.FromHours(1))).ToUnixTimeSeconds()}";

    private sealed class CountingHandler : TokenHandler
    {
        private int _calls;

        public int Calls => _calls;

        public bool Valid { get; set; } = true;

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Interlocked.Increment(ref _calls);
            var parts = token.Split(';');
            var identity = new ClaimsIdentity([new Claim("sub", parts[0]), new Claim("exp", parts[1][..10], ClaimValueTypes.Integer64)], "test");
            var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[1][..10], CultureInfo.InvariantCulture));
            var jwt = new JsonWebToken(new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = "https://issuer.test/",
                NotBefore = Start.UtcDateTime,
                IssuedAt = Start.UtcDateTime,
                Expires = expires.UtcDateTime,
            }));
            return Task.FromResult(Valid
                ? new TokenValidationResult { IsValid = true, ClaimsIdentity = identity, SecurityToken = jwt }
                : new TokenValidationResult { IsValid = false, Exception = new SecurityTokenInvalidSignatureException("bad") });
        }
    }
}

/// <summary>The cache inside the gateway: reuse over real requests, and a key removed from the JWKS stops validating.</summary>
public sealed class ValidatedTokenCacheEndToEndTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CapturingLoggerProvider _logs = new();
    private TestAuthority _authority = null!;
    private RecordingBackend _backend = null!;
    private RunningApp _gateway = null!;

    public async Task InitializeAsync()
    {
        _authority = await TestAuthority.StartAsync();
        _backend = await RecordingBackend.StartAsync();
        var config = GatewayConfig.Default(_authority.Issuer, _backend.Address);
        config["Gateway"]!["Authentication"]!["MetadataRefreshInterval"] = "00:01:00";
        config["Gateway"]!["Authentication"]!["TokenCache"] = new JsonObject { ["MaxAge"] = "00:30:00" };
        _gateway = await RunningApp.StartAsync(
            args => GatewayApp.Build(args, services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time));
                services.AddLogging(l => l.AddProvider(_logs));
            }),
            [$"--config={GatewayConfig.Write(config)}", "--Logging:LogLevel:Microsoft.AspNetCore.Authentication=Debug"]);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task ATokenUsedAgain_IsNotValidatedAgain()
    {
        var cache = _gateway.Services.GetRequiredService<GatewayAuthorities>().Default.Tokens;
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/none/1", token));
        var validations = cache.Validations;
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/none/2", token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/pass/3", token));

        Assert.Equal(validations, cache.Validations);
    }

    [Fact]
    public async Task ATokenSeenBefore_IsAuthenticatedInOneStep_WithoutJwtBearer()
    {
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/none/1", token));
        var jwtBearer = JwtBearerValidations();
        Assert.True(jwtBearer >= 1, "JwtBearer validated the token the first time");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/none/2", token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/pass/3", token));

        Assert.Equal(jwtBearer, JwtBearerValidations());
        // The backend still got the caller, as on the first request.
        Assert.Equal(["auth0|alice"], _backend.Requests[^1].Header("X-User-Id"));
    }

    [Fact]
    public async Task ACachedToken_PastItsExp_IsNoLongerTakenFromTheCache_WhileTheKeysAreCurrent()
    {
        var tokens = _authority.Tokens(GatewayConfig.Audience);
        var claims = tokens.Claims();
        claims["exp"] = _time.GetUtcNow().ToUnixTimeSeconds() + 10;
        var token = tokens.Sign(claims);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/none/before", token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/none/cached", token));
        var decided = JwtBearerDecisions();

        // Past exp, well within MetadataRefreshInterval (1 min): the keys are current, the entry is not. JwtBearer decides
        // again (IdentityModel reads the system clock, not this test's, so its answer is not the point here).
        _time.Advance(TimeSpan.FromSeconds(11));
        await StatusAsync("/none/after", token);

        Assert.Equal(decided + 1, JwtBearerDecisions());
    }

    [Fact]
    public async Task AKeyRemovedFromTheJwks_StopsValidatingAtTheNextMetadataRefresh()
    {
        var retired = _authority.Active;
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/none/before", token));

        _authority.Rotate();
        _authority.Retire(retired);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/none/cached", token));

        // Past MetadataRefreshInterval, well within the token's exp and the cache's MaxAge.
        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync("/none/after", token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/none/new-key", _authority.Tokens(GatewayConfig.Audience).Valid()));
    }

    /// <summary>Tokens JwtBearer validated or refused.</summary>
    private int JwtBearerDecisions() => JwtBearerValidations()
        + _logs.Lines.Count(l => l.Contains("JwtBearerHandler", StringComparison.Ordinal) && l.Contains("Failed to validate the token", StringComparison.Ordinal));

    private int JwtBearerValidations() =>
        _logs.Lines.Count(l => l.Contains("JwtBearerHandler", StringComparison.Ordinal) && l.Contains("Successfully validated the token", StringComparison.Ordinal));

    private async Task<HttpStatusCode> StatusAsync(string path, string token)
    {
        using var response = await DelegationFixture.SendAsync(_gateway, HttpMethod.Get, path, token);
        return response.StatusCode;
    }
}
