using System.Security.Claims;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Authentication;
using WamsGateway.Caching;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using WamsGateway.Exchanges.AwsSts.SigV4;
using WamsGateway.Forwarding;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Micro;

/// <summary>An RS256 access token, validated by JsonWebTokenHandler, then by the validated-token cache; and its issuer read before either.</summary>
[MemoryDiagnoser]
public class TokenValidation : IDisposable
{
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "k1" };
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private ValidatedTokenCache _cache = null!;
    private TokenValidationParameters _parameters = null!;
    private string _token = null!;

    [GlobalSetup]
    public void Setup()
    {
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = "https://tenant.example.com/",
            ValidAudience = "https://api.example.com",
            IssuerSigningKey = _key,
            ValidAlgorithms = ["RS256"],
        };
        _token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://tenant.example.com/",
            Audience = "https://api.example.com",
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = "auth0|alice", ["azp"] = "todo-mobile", ["scope"] = "openid read:orders" },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
        _cache = new ValidatedTokenCache(_handler, () => 1, new TokenCacheSettings(), TimeProvider.System);
        _cache.ValidateTokenAsync(_token, _parameters).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _cache.Dispose();
        _key.Rsa.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public async Task<bool> FirstSight() => (await _handler.ValidateTokenAsync(_token, _parameters)).IsValid;

    [Benchmark]
    public async Task<bool> SeenBefore() => (await _cache.ValidateTokenAsync(_token, _parameters)).IsValid;

    /// <summary>What every request adds with several authorities: the token's <c>iss</c> read, unverified, to pick the one that checks it.</summary>
    [Benchmark]
    public bool IssuerPeek() => CallerToken.TryReadIssuer(_token, out var issuer) && issuer is not null;
}

/// <summary>A credential already in the delegation cache (in memory), as every request after a caller's first finds it.</summary>
[MemoryDiagnoser]
public class DelegationCacheHit
{
    private ServiceProvider _services = null!;
    private DelegationCache _cache = null!;
    private DelegationRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Authentication:Authority"] = "https://tenant.example.com/",
            ["Gateway:Authentication:Audiences:0"] = "https://api.example.com",
            ["Gateway:Apis:minted:Exchange"] = "WamsMint",
            ["Gateway:Apis:minted:MasterKey"] = "a-master-key",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddReverseProxy().AddWamsGateway(configuration.GetSection("Gateway"));
        _services = services.BuildServiceProvider();
        _cache = _services.GetRequiredService<DelegationCache>();
        var api = _services.GetRequiredService<ApiCatalog>().Find("minted")!;
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "auth0|alice"), new Claim("azp", "todo-mobile")], "bench"));
        _request = new DelegationRequest(api, "header.payload.signature", user, DateTimeOffset.UtcNow.AddHours(1));
        _cache.GetAsync(_request, CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public async Task<object> Hit() => await _cache.GetAsync(_request, CancellationToken.None);
}

/// <summary>The three default identity headers set from a caller's claims on the outgoing request.</summary>
[MemoryDiagnoser]
public class IdentityHeaders
{
    private readonly IdentityHeadersTransform _transform = new(new Dictionary<string, string>
    {
        ["X-User-Id"] = "sub",
        ["X-User-Email"] = "email",
        ["X-Client-Id"] = "azp",
    }, requireVerifiedEmail: true);

    private readonly ClaimsPrincipal _user = new(new ClaimsIdentity(
        [new Claim("sub", "auth0|alice"), new Claim("email", "alice@example.com"), new Claim("email_verified", "true", ClaimValueTypes.Boolean), new Claim("azp", "todo-mobile")], "bench"));

    [Benchmark]
    public async Task<int> Apply()
    {
        using var proxyRequest = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        var context = new RequestTransformContext { HttpContext = new DefaultHttpContext { User = _user }, ProxyRequest = proxyRequest, Path = "/" };
        await _transform.ApplyAsync(context);
        return proxyRequest.Headers.Count();
    }
}

/// <summary>One SigV4 signature for a small API request.</summary>
[MemoryDiagnoser]
public class SigV4Signing
{
    private readonly SigV4Credentials _credentials = new("ASIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token");
    private readonly SigV4Request _request = new("GET", "/prod/orders/42", "sort=desc",
        [new("Host", "api.example.com"), new("X-Amz-Date", "20261125T120000Z"), new("X-Amz-Security-Token", "session-token")], SigV4Signer.EmptyPayloadHash);

    [Benchmark]
    public string Sign() => SigV4Signer.Sign(_request, _credentials, "us-east-1", "execute-api", DateTimeOffset.UtcNow, SigV4PathStyle.Normalized).Authorization;
}

/// <summary>The caller's assertion for a backend: reused per caller token (unbound), or signed per request (bound, ES256).</summary>
[MemoryDiagnoser]
public class Assertions : IDisposable
{
    private readonly Microsoft.Extensions.Caching.Memory.MemoryCache _memory = new(new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions { SizeLimit = 1000 });
    private readonly WamsGateway.Assertions.ApiAssertionSettings _unbound = new() { Audience = "https://orders.example.com" };
    private readonly WamsGateway.Assertions.ApiAssertionSettings _bound = new() { Audience = "https://orders.example.com", BindRequest = true };
    private readonly ClaimsPrincipal _user = new(new ClaimsIdentity(
        [new Claim("sub", "auth0|alice"), new Claim("email", "alice@example.com"), new Claim("email_verified", "true", ClaimValueTypes.Boolean), new Claim("azp", "todo-mobile")], "bench"));

    private static readonly WamsGateway.Authentication.CallerFacts Caller = new("https://tenant.auth0.com/", EmailVerified: true);

    private WamsGateway.Assertions.AssertionKeySet _keys = null!;
    private WamsGateway.Assertions.AssertionIssuer _issuer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var settings = new WamsGateway.Assertions.AssertionSettings { Issuer = "http://gateway.internal/" };
        var ring = new WamsGateway.Assertions.AssertionKeyRing(settings, new WamsGateway.Assertions.MemoryAssertionKeyStore(), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<WamsGateway.Assertions.AssertionKeyRing>.Instance);
        _keys = ring.GetAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _issuer = new WamsGateway.Assertions.AssertionIssuer(settings.Issuer, TimeProvider.System, _memory);
        _issuer.Unbound(_keys, "orders", _unbound, _user, Caller, "header.payload.signature");
    }

    public void Dispose()
    {
        _memory.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public string UnboundReused() => _issuer.Unbound(_keys, "orders", _unbound, _user, Caller, "header.payload.signature");

    [Benchmark]
    public string BoundSigned() => _issuer.Sign(_keys.Signing, _bound, _user, Caller, "GET", "http://orders.internal/api/orders/42", out _);
}
