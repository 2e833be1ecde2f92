using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace WamsGateway.Exchanges.WamsMint;

/// <summary>
/// Mints the Azure Mobile Services token itself, exactly as Auth0's WAMS add-on did (docs/protocols.md,
/// "The WAMS (ZUMO) token"), for tenants where <c>/delegation</c> is disabled: HS256 keyed with the raw
/// SHA-256 of master key + "JWTSig", <c>kid</c> "0", <c>uid</c> = the caller's <c>sub</c>, <c>ver</c> 2.
/// </summary>
internal sealed class WamsMintExchange : BearerExchangeKind<WamsMintOptions>
{
    public const string Name = "WamsMint";
    public const string Issuer = "urn:microsoft:windows-azure:zumo";

    /// <summary>The header a Mobile Services backend reads its ZUMO token from.</summary>
    public const string ZumoHeader = "X-ZUMO-AUTH";
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    // By master key, so a reloaded key signs with the new one at once.
    private readonly ConcurrentDictionary<string, SigningCredentials> _credentials = new(StringComparer.Ordinal);

    public WamsMintExchange(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>The header Mobile Services backends take a ZUMO token from: no caller's copy passes on any route.</summary>
    public override IReadOnlyList<string> OwnedHeaders { get; } = [ZumoHeader];

    public override void Validate(WamsMintOptions options, ExchangeValidationContext context)
    {
        base.Validate(options, context);
        if (string.IsNullOrWhiteSpace(options.MasterKey))
        {
            context.Problem("MasterKey", "required for WamsMint; the WAMS master key the backend validates X-ZUMO-AUTH with.");
        }

        if (options.Lifetime is { } lifetime && (lifetime < TimeSpan.FromMinutes(2) || lifetime > TimeSpan.FromDays(30)))
        {
            context.Problem("Lifetime", "between 00:02:00 and 30.00:00:00.");
        }
    }

    public override Task<DelegatedCredential> ExchangeAsync(ExchangeRequest<WamsMintOptions> request, CancellationToken cancellationToken)
    {
        var uid = request.User.FindFirst("sub")?.Value
            ?? throw new DelegationException(DelegationFailure.Denied, "The token has no sub to become the WAMS uid.", "invalid_token");
        var now = _time.GetUtcNow();
        var lifetimeEnd = now + (request.Options.Lifetime ?? DefaultLifetime);
        var expires = lifetimeEnd < request.SubjectExpiresAt ? lifetimeEnd : request.SubjectExpiresAt;

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = request.Options.Audience ?? request.ClientId,
            IssuedAt = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = new Dictionary<string, object> { ["uid"] = uid, ["ver"] = 2 },
            SigningCredentials = _credentials.GetOrAdd(request.Options.MasterKey!, SigningCredentials),
        };
        return Task.FromResult<DelegatedCredential>(new BearerCredential(_handler.CreateToken(descriptor), expires));
    }

    private static SigningCredentials SigningCredentials(string masterKey)
    {
        // The WAMS runtime keys HMAC with the raw digest, not its base64 text.
        var key = new SymmetricSecurityKey(SHA256.HashData(Encoding.UTF8.GetBytes(masterKey + "JWTSig"))) { KeyId = "0" };
        return new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
    }
}
