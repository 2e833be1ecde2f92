using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Support;

/// <summary>
/// An issuer inside the test: discovery and JWKS on a real socket, RSA keys in memory, rotation,
/// an outage switch, and a count of JWKS reads.
/// </summary>
public sealed class TestAuthority : IAsyncDisposable
{
    private readonly List<RsaSecurityKey> _published = [];
    private RunningApp? _app;
    private int _jwksReads;

    private TestAuthority()
    {
        Active = NewKey();
        _published.Add(Active);
    }

    public RsaSecurityKey Active { get; private set; }

    public string Issuer => _app!.Address.AbsoluteUri;

    public int JwksReads => Volatile.Read(ref _jwksReads);

    /// <summary>While true, discovery and JWKS answer 503.</summary>
    public bool Down { get; set; }

    public static async Task<TestAuthority> StartAsync()
    {
        var authority = new TestAuthority();
        authority._app = await RunningApp.StartAsync(authority.Build, []);
        return authority;
    }

    public static RsaSecurityKey NewKey(string? kid = null)
    {
        var rsa = RSA.Create(2048);
        return new RsaSecurityKey(rsa) { KeyId = kid ?? Guid.NewGuid().ToString("N")[..12] };
    }

    /// <summary>A new active key, published next to the old ones, as Auth0 does during rotation.</summary>
    public RsaSecurityKey Rotate()
    {
        lock (_published)
        {
            Active = NewKey();
            _published.Add(Active);
            return Active;
        }
    }

    /// <summary>Stops publishing a key, as an authority does after a compromise or at the end of a rotation.</summary>
    public void Retire(RsaSecurityKey key)
    {
        lock (_published)
        {
            _published.Remove(key);
        }
    }

    public TokenFactory Tokens(string audience) => new(Issuer, audience, Active);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private WebApplication Build(string[] args)
    {
        var app = WebApplication.CreateSlimBuilder(args).Build();
        app.MapGet("/.well-known/openid-configuration", () => Down
            ? Results.StatusCode(503)
            : Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = Issuer + ".well-known/jwks.json",
                ["token_endpoint"] = Issuer + "oauth/token",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            }));
        app.MapGet("/.well-known/jwks.json", () =>
        {
            Interlocked.Increment(ref _jwksReads);
            if (Down)
            {
                return Results.StatusCode(503);
            }

            RsaSecurityKey[] keys;
            lock (_published)
            {
                keys = [.. _published];
            }

            return Results.Json(new
            {
                keys = keys.Select(k =>
                {
                    var p = k.Rsa.ExportParameters(false);
                    return new { kty = "RSA", use = "sig", alg = "RS256", kid = k.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) };
                }),
            });
        });
        return app;
    }
}
