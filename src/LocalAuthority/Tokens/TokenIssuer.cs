using LocalAuthority.Hosting;
using LocalAuthority.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LocalAuthority.Tokens;

/// <summary>Signs RS256 JWTs with the active key, as Auth0 does for ID and access tokens.</summary>
public sealed class TokenIssuer
{
    private readonly SigningKeyStore _keys;
    private readonly IssuerUri _issuer;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TokenIssuer(SigningKeyStore keys, IssuerUri issuer, TimeProvider time)
    {
        _keys = keys;
        _issuer = issuer;
        _time = time;
    }

    public string Issuer => _issuer.Value;

    public IReadOnlyList<SecurityKey> ValidationKeys => _keys.Published;

    public string Create(IDictionary<string, object> claims, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        // A unique id per token, so two tokens for one user in one second are still two tokens.
        claims = new Dictionary<string, object>(claims) { ["jti"] = Guid.NewGuid().ToString("N") };
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuer.Value,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(_keys.Active, SecurityAlgorithms.RsaSha256),
        });
    }
}
