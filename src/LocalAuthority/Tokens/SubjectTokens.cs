using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LocalAuthority.Tokens;

/// <summary>Validates a token this authority issued, as its delegation and token-exchange endpoints must.</summary>
public sealed class SubjectTokens
{
    private readonly TokenIssuer _issuer;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public SubjectTokens(TokenIssuer issuer, TimeProvider time)
    {
        _issuer = issuer;
        _time = time;
    }

    /// <param name="token">The subject token.</param>
    /// <param name="audience">The audience it must carry, or null for any audience of this issuer.</param>
    public async Task<ClaimsIdentity?> ValidateAsync(string? token, string? audience)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = _issuer.Issuer,
            IssuerSigningKeys = _issuer.ValidationKeys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, p) =>
                expires is { } e && e > _time.GetUtcNow().UtcDateTime - p.ClockSkew && (notBefore is not { } n || n < _time.GetUtcNow().UtcDateTime + p.ClockSkew),
        };
        if (audience is null)
        {
            parameters.AudienceValidator = (audiences, _, _) => audiences.Any();
        }
        else
        {
            parameters.ValidAudience = audience;
        }

        var result = await _handler.ValidateTokenAsync(token, parameters);
        return result.IsValid ? result.ClaimsIdentity : null;
    }
}
