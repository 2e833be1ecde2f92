using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WamsGateway.Configuration;

namespace WamsGateway.Authentication;

internal static class AuthenticationExtensions
{
    public static IServiceCollection AddGatewayAuthentication(this IServiceCollection services)
    {
        services.AddHttpClient(AuthorityMetadata.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<AuthorityMetadata>();
        services.AddSingleton<GatewayJwtBearerEvents>();
        services.AddSingleton(sp =>
        {
            var metadata = sp.GetRequiredService<AuthorityMetadata>();
            return new ValidatedTokenCache(
                new JsonWebTokenHandler { MapInboundClaims = false },
                () => metadata.KeySetVersion,
                sp.GetRequiredService<AuthenticationSettings>().TokenCache,
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddHostedService<AuthorityMetadataWarmup>();

        services.AddAuthentication().AddJwtBearer(WamsGatewayDefaults.AuthenticationScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(WamsGatewayDefaults.AuthenticationScheme)
            .Configure<AuthorityMetadata, AuthenticationSettings, ValidatedTokenCache>(Configure);
        return services;
    }

    private static void Configure(JwtBearerOptions options, AuthorityMetadata metadata, AuthenticationSettings settings, ValidatedTokenCache tokens)
    {
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(tokens);
        options.ConfigurationManager = metadata;
        options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        options.RefreshOnIssuerKeyNotFound = true;
        options.MapInboundClaims = false;
        options.IncludeErrorDetails = true;
        options.EventsType = typeof(GatewayJwtBearerEvents);
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuers = [settings.Authority!, .. settings.ValidIssuers ?? []],
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
        };
    }
}
