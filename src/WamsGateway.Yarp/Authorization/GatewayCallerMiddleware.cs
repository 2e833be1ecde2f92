using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using WamsGateway.Configuration;
using WamsGateway.Errors;
using Yarp.ReverseProxy.Model;

namespace WamsGateway.Authorization;

/// <summary>
/// First in the gateway's proxy pipeline: the caller, as the gateway sees it. Whatever the host's own
/// schemes decided, a proxied request's user is the one the gateway's token names (or nobody), and a
/// route that is not anonymous, or whose API needs a caller, gets the gateway's RFC 6750 challenge
/// without a valid token. A route naming an API the configuration no longer defines is refused, never
/// forwarded without its API's rules.
/// </summary>
internal sealed partial class GatewayCallerMiddleware
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    private readonly RequestDelegate _next;
    private readonly ApiCatalog _catalog;
    private readonly ILogger<GatewayCallerMiddleware> _logger;

    public GatewayCallerMiddleware(RequestDelegate next, ApiCatalog catalog, ILogger<GatewayCallerMiddleware> logger)
    {
        _next = next;
        _catalog = catalog;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var (_, api, apiName) = _catalog.ForRequest(context);
        var route = context.GetReverseProxyFeature().Route.Config;
        var missing = apiName is not null && api is null;

        // Cached by the handler: when the endpoint's policy already authenticated, this costs nothing.
        var result = await context.AuthenticateAsync(WamsGatewayDefaults.AuthenticationScheme);
        if (result.Succeeded)
        {
            context.User = result.Principal;
        }
        else if (!RouteApiRules.IsAnonymous(route.AuthorizationPolicy) || api?.RequiresCaller == true || missing)
        {
            await context.ChallengeAsync(WamsGatewayDefaults.AuthenticationScheme);
            return;
        }
        else
        {
            context.User = Anonymous;
        }

        if (missing)
        {
            Log.ApiNotConfigured(_logger, route.RouteId, apiName!);
            await ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "api_not_configured",
                "The route's API is not configured", $"This route is bound to API '{apiName}', which the gateway's configuration does not define.");
            return;
        }

        await _next(context);
    }

    private static partial class Log
    {
        [LoggerMessage(310, LogLevel.Error, "Route {Route} is bound to API {Api}, which the configuration does not define; answering 503 until a configuration defines it or the route changes.")]
        public static partial void ApiNotConfigured(ILogger logger, string route, string api);
    }
}
