using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Errors;

namespace WamsGateway.TrafficPolicy;

internal static class TrafficPolicyExtensions
{
    /// <summary>The title of every <c>timeout</c> problem, whichever step the route's timeout ended.</summary>
    public const string TimeoutTitle = "The request took longer than its route allows";

    /// <summary>
    /// The named policies YARP routes refer to: CORS policies and request timeouts as ASP.NET Core's own middleware
    /// runs them, and rate limits, which the gateway counts itself in its proxy pipeline (after the token, before the
    /// exchange). Each rate limit is also registered with ASP.NET Core's rate limiter under its name, without a limit,
    /// so YARP accepts routes that name it and a host's own <c>UseRateLimiter()</c> does not count twice. Each is read
    /// from the gateway's options when first needed (start-only settings).
    /// </summary>
    public static IServiceCollection AddGatewayTrafficPolicies(this IServiceCollection services)
    {
        services.AddSingleton<GatewayRateLimiters>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<WamsGatewayOptions>>((limiter, gateway) =>
        {
            foreach (var name in gateway.Value.RateLimits.Keys)
            {
                limiter.AddPolicy<string>(name, _ => RateLimitPartition.GetNoLimiter(string.Empty));
            }
        });

        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<WamsGatewayOptions>>((cors, gateway) =>
        {
            foreach (var (name, settings) in gateway.Value.Cors)
            {
                cors.AddPolicy(name, policy => Configure(policy, settings));
            }
        });

        services.AddRequestTimeouts(_ => { });
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<WamsGatewayOptions>>((timeouts, gateway) =>
        {
            foreach (var (name, timeout) in gateway.Value.Timeouts)
            {
                timeouts.AddPolicy(name, new RequestTimeoutPolicy
                {
                    Timeout = timeout,
                    TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
                    WriteTimeoutResponse = context => WriteTimeoutAsync(context, name),
                });
            }
        });
        return services;
    }

    /// <summary>The problem body of a request stopped by its route's <c>TimeoutPolicy</c>.</summary>
    public static Task WriteTimeoutAsync(HttpContext context, string? policy) =>
        ProblemResponses.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "timeout", TimeoutTitle,
            policy is null ? "The route's timeout passed before the request was answered." : $"Timeout policy '{policy}' passed before the request was answered.");

    private static void Configure(CorsPolicyBuilder policy, CorsSettings settings)
    {
        var origins = settings.Origins ?? [];
        if (origins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins([.. origins]);
        }

        if (settings.Methods is { Count: > 0 } methods)
        {
            policy.WithMethods([.. methods]);
        }

        if (settings.Headers is { Count: > 0 } headers)
        {
            if (headers.Contains("*"))
            {
                policy.AllowAnyHeader();
            }
            else
            {
                policy.WithHeaders([.. headers]);
            }
        }

        if (settings.ExposedHeaders is { Count: > 0 } exposed)
        {
            policy.WithExposedHeaders([.. exposed]);
        }

        if (settings.Credentials)
        {
            policy.AllowCredentials();
        }

        if (settings.MaxAge is { } maxAge)
        {
            policy.SetPreflightMaxAge(maxAge);
        }
    }
}
