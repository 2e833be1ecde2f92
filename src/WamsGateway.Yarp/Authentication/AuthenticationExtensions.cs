using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Configuration;

namespace WamsGateway.Authentication;

internal static class AuthenticationExtensions
{
    /// <summary>
    /// The gateway's scheme (<see cref="WamsGatewayDefaults.AuthenticationScheme"/>, <see cref="GatewayAuthenticationHandler"/>)
    /// authenticates a token validated before in one step, and forwards every other request to the JwtBearer scheme of the
    /// authority its token's <c>iss</c> names (<see cref="GatewayAuthority.SchemeName"/>: <c>WamsGateway.&lt;name&gt;</c>), or
    /// to the default authority's when there is no token or no configured authority is named, where it is refused before
    /// any key is fetched. One JwtBearer scheme per authority keeps JwtBearer's own discovery, rotation and challenge
    /// handling per authority.
    /// </summary>
    /// <remarks>
    /// The schemes are added when authentication's options are first read, from the gateway's options (a start-only
    /// setting): one per authority, as <c>AddJwtBearer</c> would add it.
    /// </remarks>
    public static IServiceCollection AddGatewayAuthentication(this IServiceCollection services)
    {
        services.AddHttpClient(AuthorityMetadata.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<GatewayAuthorities>();
        services.AddSingleton<GatewayJwtBearerEvents>();
        services.AddHostedService<AuthorityMetadataWarmup>();
        services.AddHostedService<TenantWarnings>();

        services.AddAuthentication();
        services.TryAddTransient<JwtBearerHandler>();
        services.TryAddTransient<GatewayAuthenticationHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, JwtBearerPostConfigureOptions>());
        services.AddOptions<AuthenticationOptions>().Configure<IOptions<WamsGatewayOptions>>((authentication, gateway) =>
        {
            authentication.AddScheme(WamsGatewayDefaults.AuthenticationScheme, scheme =>
            {
                scheme.HandlerType = typeof(GatewayAuthenticationHandler);
                scheme.DisplayName = "WamsGateway";
            });

            foreach (var name in gateway.Value.AuthorityNames)
            {
                authentication.AddScheme(GatewayAuthority.SchemeFor(name), scheme => scheme.HandlerType = typeof(JwtBearerHandler));
            }
        });
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, AuthorityJwtBearerSetup>();
        return services;
    }

    /// <summary>The JwtBearer options of an authority's scheme; another scheme's (a host's own) are left as they are.</summary>
    private sealed class AuthorityJwtBearerSetup : IConfigureNamedOptions<JwtBearerOptions>
    {
        private readonly GatewayAuthorities _authorities;
        private readonly TimeProvider _time;

        public AuthorityJwtBearerSetup(GatewayAuthorities authorities, TimeProvider time)
        {
            _authorities = authorities;
            _time = time;
        }

        public void Configure(string? name, JwtBearerOptions options)
        {
            if (_authorities.ForScheme(name) is { } authority)
            {
                AuthenticationExtensions.Configure(options, authority, _time);
            }
        }

        public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);
    }

    private static void Configure(JwtBearerOptions options, GatewayAuthority authority, TimeProvider time)
    {
        var settings = authority.Settings;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(authority.Tokens);
        options.ConfigurationManager = authority.Metadata;
        options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        options.RefreshOnIssuerKeyNotFound = true;
        options.MapInboundClaims = false;
        options.IncludeErrorDetails = true;
        options.EventsType = typeof(GatewayJwtBearerEvents);
        options.TimeProvider = time;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuers = [.. settings.Issuers],
            ValidAudiences = settings.Audiences,
            ValidAlgorithms = settings.EffectiveAlgorithms,
            ClockSkew = settings.ClockSkew,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            // RFC 7519 section 4.1.3: audiences compare as exact strings; no trailing-slash leniency.
            IgnoreTrailingSlashWhenValidatingAudience = false,
            ValidateLifetime = true,
            // A kid selects among the issuer's keys; it never falls back to trying every key.
            TryAllIssuerSigningKeys = false,
            NameClaimType = "sub",
            TypeValidator = RefuseCriticalExtensions,
        };
    }

    /// <summary>
    /// RFC 7515 section 4.1.11: a JWS whose <c>crit</c> header names extensions the recipient does not understand must be
    /// rejected, and the gateway understands none; IdentityModel ignores <c>crit</c>. Otherwise the token's <c>typ</c> is
    /// what the default validator would return (no <c>ValidTypes</c> are configured).
    /// </summary>
    private static string RefuseCriticalExtensions(string? type, SecurityToken token, TokenValidationParameters parameters) =>
        token is JsonWebToken jwt && jwt.TryGetHeaderValue<object>("crit", out _)
            ? throw new SecurityTokenInvalidTypeException("The token names critical header extensions (crit), which the gateway does not understand.")
            : type ?? string.Empty;
}
