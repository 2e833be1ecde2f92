using System.Net.Mime;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using WamsGateway.Caching;
using WamsGateway.Configuration;
using WamsGateway.Errors;

namespace WamsGateway.Assertions;

internal static partial class AssertionExtensions
{
    /// <summary>
    /// The key store (Redis when configured, else <c>KeyFile</c>, else memory), the key ring, and the issuer with its
    /// bounded reuse cache: used only when <c>Gateway:Assertion:Issuer</c> was set at start (<see cref="IsEnabled"/>).
    /// </summary>
    public static IServiceCollection AddGatewayAssertions(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Assertion);
        services.AddKeyedSingleton<IMemoryCache>(AssertionIssuer.MemoryCacheKey, (sp, _) => new MemoryCache(new MemoryCacheOptions
        {
            Clock = new TimeProviderClock(sp.GetRequiredService<TimeProvider>()),
            SizeLimit = sp.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Cache.MaxEntries,
            CompactionPercentage = 0.1,
        }));
        services.AddSingleton<IAssertionKeyStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WamsGatewayOptions>>().Value;
            if (options.Redis.Configuration is not null)
            {
                // Kept in Redis past the last moment it is published: the next period's key is made a period early.
                var keep = (options.Assertion.KeyLifetime * 3) + AssertionSettings.MaxLifetime;
                return new RedisAssertionKeyStore(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<IDataProtectionProvider>(),
                    options.Redis.KeyPrefix, keep, sp.GetRequiredService<ILogger<RedisAssertionKeyStore>>());
            }

            return options.Assertion.KeyFile is { } file
                ? new FileAssertionKeyStore(file, sp.GetRequiredService<ILogger<FileAssertionKeyStore>>())
                : new MemoryAssertionKeyStore();
        });
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<AssertionKeyRing>(sp));
        services.AddSingleton(sp => new AssertionIssuer(
            sp.GetRequiredService<AssertionSettings>().Issuer!,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredKeyedService<IMemoryCache>(AssertionIssuer.MemoryCacheKey)));
        return services;
    }

    /// <summary>Whether the gateway issues assertions: <c>Gateway:Assertion:Issuer</c> was set at start.</summary>
    public static bool IsEnabled(IServiceProvider services) => services.GetRequiredService<AssertionSettings>().Issuer is not null;

    /// <summary>
    /// <c>{Issuer}.well-known/openid-configuration</c> and <c>{Issuer}.well-known/jwks.json</c>, anonymous, ahead
    /// of every proxied route (a catch-all included). Nothing is mapped when no issuer was set at start.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayAssertionKeys(this IEndpointRouteBuilder endpoints)
    {
        if (!IsEnabled(endpoints.ServiceProvider))
        {
            return endpoints;
        }

        var settings = endpoints.ServiceProvider.GetRequiredService<AssertionSettings>();
        var maxAge = $"public, max-age={(int)AssertionSettings.JwksMaxAge.TotalSeconds}";
        var discovery = new JsonObject
        {
            ["issuer"] = settings.Issuer,
            ["jwks_uri"] = new Uri(settings.IssuerUri, ".well-known/jwks.json").AbsoluteUri,
            ["id_token_signing_alg_values_supported"] = new JsonArray(settings.Algorithm),
            // OIDC Discovery requires these two; the gateway issues no ID tokens, only what backends verify.
            ["response_types_supported"] = new JsonArray("id_token"),
            ["subject_types_supported"] = new JsonArray("public"),
        }.ToJsonString();

        endpoints.MapGet(settings.DiscoveryPath, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = maxAge;
                return Results.Text(discovery, MediaTypeNames.Application.Json);
            })
            .AllowAnonymous()
            .WithOrder(int.MinValue)
            .WithDisplayName("WamsGateway assertion discovery");
        endpoints.MapGet(settings.JwksPath, async (HttpContext context, AssertionKeyRing ring, TimeProvider time, ILogger<AssertionKeyRing> logger) =>
            {
                AssertionKeySet keys;
                try
                {
                    keys = await ring.GetAsync(context.RequestAborted);
                }
                catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
                {
                    Log.JwksUnavailable(logger, ex.GetType().Name, ex.Message);
                    context.Response.Headers.RetryAfter = "5";
                    await ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "assertion_unavailable",
                        "The gateway's keys cannot be read", "The key set could not be loaded; try again later.");
                    return;
                }

                context.Response.Headers.CacheControl = maxAge;
                await Results.Text(keys.Jwks(time.GetUtcNow()).ToJsonString(), "application/jwk-set+json").ExecuteAsync(context);
            })
            .AllowAnonymous()
            .WithOrder(int.MinValue)
            .WithDisplayName("WamsGateway assertion keys");
        return endpoints;
    }

    private static partial class Log
    {
        [LoggerMessage(622, LogLevel.Error, "The assertion key set could not be loaded for the JWKS endpoint ({Error}: {Reason}); answering 503.")]
        public static partial void JwksUnavailable(ILogger logger, string error, string reason);
    }
}
