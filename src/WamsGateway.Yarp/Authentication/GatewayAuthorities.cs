using System.Collections.Frozen;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using WamsGateway.Configuration;
using WamsGateway.Observability;

namespace WamsGateway.Authentication;

/// <summary>
/// One authority whose tokens the gateway accepts, with everything of its own: its JwtBearer scheme, its
/// discovery document and keys (refreshed and rotated on their own), its validated-token cache, its readiness
/// check and its name in metrics.
/// </summary>
internal sealed class GatewayAuthority : IDisposable
{
    public GatewayAuthority(string name, AuthoritySettings settings, AuthorityMetadata metadata, ValidatedTokenCache tokens)
    {
        Name = name;
        Settings = settings;
        Metadata = metadata;
        Tokens = tokens;
        SchemeName = SchemeFor(name);
        HealthCheckName = HealthCheckFor(name);
    }

    /// <summary>Its configured name: <c>default</c> for <c>Gateway:Authentication</c>'s own.</summary>
    public string Name { get; }

    public AuthoritySettings Settings { get; }

    /// <summary>The issuer URL as configured: where <c>/delegation</c> is by default, and discovery.</summary>
    public string Address => Settings.Authority!;

    public AuthorityMetadata Metadata { get; }

    public ValidatedTokenCache Tokens { get; }

    /// <summary>The JwtBearer scheme that validates its tokens (<see cref="SchemeFor"/>).</summary>
    public string SchemeName { get; }

    /// <summary>Its readiness check: <c>authority</c> for the default one, <c>authority:&lt;name&gt;</c> for the others.</summary>
    public string HealthCheckName { get; }

    /// <summary><c>WamsGateway.&lt;name&gt;</c> (<c>WamsGateway.default</c>), behind the gateway's scheme, which picks one per token.</summary>
    public static string SchemeFor(string name) => WamsGatewayDefaults.AuthenticationScheme + "." + name;

    public static string HealthCheckFor(string name) =>
        name.Equals(AuthenticationSettings.DefaultAuthorityName, StringComparison.OrdinalIgnoreCase) ? "authority" : "authority:" + name;

    public void Dispose()
    {
        Metadata.Dispose();
        Tokens.Dispose();
    }
}

/// <summary>
/// Every authority the gateway was started with (<c>Gateway:Authentication</c> and its named <c>Authorities</c>), and
/// which one a token belongs to: the one whose configured issuers include the token's <c>iss</c>, exactly, found
/// before any signature is checked or any key is fetched.
/// </summary>
internal sealed class GatewayAuthorities : IDisposable
{
    private readonly FrozenDictionary<string, GatewayAuthority> _byName;
    private readonly FrozenDictionary<string, GatewayAuthority> _byScheme;
    private readonly FrozenDictionary<string, GatewayAuthority> _byIssuer;

    public GatewayAuthorities(IOptions<WamsGatewayOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILoggerFactory loggers, GatewayMeter meter)
    {
        var settings = options.Value;
        var logger = loggers.CreateLogger<AuthorityMetadata>();
        All = settings.AllAuthorities
            .Select(named =>
            {
                var metadata = new AuthorityMetadata(httpClientFactory, settings.Authentication, time, logger, named.Key, named.Value, meter);
                var tokens = new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = false }, () => metadata.KeySetVersion, settings.Authentication.TokenCache, time);
                return new GatewayAuthority(named.Key, named.Value, metadata, tokens);
            })
            .ToList();
        Default = All[0];
        _byName = All.ToFrozenDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
        _byScheme = All.ToFrozenDictionary(a => a.SchemeName, StringComparer.Ordinal);
        // The validator refuses an issuer named by two authorities; the first keeps it if one slipped through.
        _byIssuer = All
            .SelectMany(a => a.Settings.Issuers.Select(issuer => (issuer, authority: a)))
            .DistinctBy(x => x.issuer, StringComparer.Ordinal)
            .ToFrozenDictionary(x => x.issuer, x => x.authority, StringComparer.Ordinal);
    }

    /// <summary>The default authority, then the named ones in configuration order.</summary>
    public IReadOnlyList<GatewayAuthority> All { get; }

    public GatewayAuthority Default { get; }

    public GatewayAuthority? Find(string? name) => name is not null && _byName.TryGetValue(name, out var authority) ? authority : null;

    public GatewayAuthority? ForScheme(string? scheme) => scheme is not null && _byScheme.TryGetValue(scheme, out var authority) ? authority : null;

    /// <summary>
    /// The authority whose token <paramref name="result"/> authenticated: the one whose JwtBearer scheme the ticket names,
    /// or, for a ticket of the gateway's scheme itself (what an authorization policy naming it reports), the request's
    /// token's authority, the one that validated it. Null for another scheme's ticket (a host's own), whose result the
    /// gateway never takes for its caller.
    /// </summary>
    public GatewayAuthority? AuthorityOf(HttpContext context, AuthenticateResult result) =>
        ForScheme(result.Ticket?.AuthenticationScheme)
        ?? (result.Ticket?.AuthenticationScheme == WamsGatewayDefaults.AuthenticationScheme ? context.Features.Get<CallerToken>()?.Authority : null);

    /// <summary>
    /// The authority whose configured issuers (<c>Authority</c> with or without its trailing slash, <c>ValidIssuers</c>)
    /// include <paramref name="issuer"/>, compared exactly. Only configuration decides: never a network call, and never
    /// what an authority's discovery document says (a tenant cannot claim another's issuer by publishing it).
    /// </summary>
    public GatewayAuthority? ForIssuer(string issuer) => _byIssuer.TryGetValue(issuer, out var authority) ? authority : null;

    /// <summary>
    /// The authority whose validated-token cache holds <paramref name="token"/>, and what it holds: at most one can (the
    /// token's <c>iss</c> chose the authority that validated it). (null, null) for a token none holds.
    /// </summary>
    public (GatewayAuthority? Authority, ValidatedCaller? Validated) FindValidated(string token)
    {
        foreach (var authority in All)
        {
            if (authority.Tokens.TryGetValidated(token, out var validated))
            {
                return (authority, validated);
            }
        }

        return (null, null);
    }

    public void Dispose()
    {
        foreach (var authority in All)
        {
            authority.Dispose();
        }
    }
}
