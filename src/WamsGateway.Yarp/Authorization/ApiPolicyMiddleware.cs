using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using WamsGateway.Authentication;
using WamsGateway.Configuration;
using WamsGateway.Errors;
using WamsGateway.Observability;
using Yarp.ReverseProxy.Model;

namespace WamsGateway.Authorization;

/// <summary>
/// First in the gateway's proxy pipeline, before any exchange. The caller, as the gateway sees it:
/// whatever the host's own schemes decided, a proxied request's user is the one the gateway's token
/// names (or nobody), and a route that is not anonymous, or whose API needs a caller, gets the gateway's
/// RFC 6750 challenge without a valid token. A route naming an API the configuration no longer defines
/// is refused, never forwarded without its API's rules. Then the route's API decides which client apps
/// may call it (<c>AllowedClients</c>) and which scopes they need (<c>RequiredScopes</c>).
/// </summary>
internal sealed partial class ApiPolicyMiddleware
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    private readonly RequestDelegate _next;
    private readonly ApiCatalog _catalog;
    private readonly GatewayAuthorities _authorities;
    private readonly GatewayMeter _meter;
    private readonly RefusalLog _refusals;
    private readonly ILogger<ApiPolicyMiddleware> _logger;

    public ApiPolicyMiddleware(RequestDelegate next, ApiCatalog catalog, GatewayAuthorities authorities, GatewayMeter meter, RefusalLog refusals, ILogger<ApiPolicyMiddleware> logger)
    {
        _next = next;
        _catalog = catalog;
        _authorities = authorities;
        _meter = meter;
        _refusals = refusals;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        // The host's authentication middleware or the endpoint's policy usually ran the gateway's scheme
        // already; its result is reused. Otherwise the handler's own cache makes this cheap.
        if (context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Succeeded: true } done
            && _authorities.AuthorityOf(context, done) is not null)
        {
            return DecideAsync(context, done);
        }

        var authentication = context.AuthenticateAsync(WamsGatewayDefaults.AuthenticationScheme);
        return authentication.IsCompletedSuccessfully
            ? DecideAsync(context, authentication.Result)
            : AuthenticateThenDecideAsync(context, authentication);
    }

    private async Task AuthenticateThenDecideAsync(HttpContext context, Task<AuthenticateResult> authentication) =>
        await DecideAsync(context, await authentication);

    // Not async: a request that passes returns the next step's task, with no state machine of this step's.
    private Task DecideAsync(HttpContext context, AuthenticateResult result)
    {
        var (_, api, apiName) = _catalog.ForRequest(context);
        var route = context.GetReverseProxyFeature().Route.Config;
        var undefined = apiName is not null && api is null;

        if (result.Succeeded)
        {
            context.User = result.Principal;
        }
        else if (!RouteApiRules.IsAnonymous(route.AuthorizationPolicy) || api?.RequiresCaller == true || undefined)
        {
            return context.ChallengeAsync(WamsGatewayDefaults.AuthenticationScheme);
        }
        else
        {
            context.User = Anonymous;
        }

        if (undefined)
        {
            Log.ApiNotConfigured(_logger, route.RouteId, apiName!);
            return ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "api_not_configured",
                "The route's API is not configured", $"This route is bound to API '{apiName}', which the gateway's configuration does not define.");
        }

        // A delegated token (RFC 8693 act) was issued for its actor to use at one backend, not to come back through the
        // gateway as the user: only an API that names its actor takes one, and a route without an API never does.
        if (result.Succeeded && context.Features.Get<CallerToken>()?.Actor is { } actor && api?.Options.AllowedActors?.Contains(actor, StringComparer.Ordinal) != true)
        {
            return RefuseAsync(context, new Refusal("actor_not_allowed", _authorities.AuthorityOf(context, result)?.Name ?? "none",
                api is null ? "This route does not accept delegated tokens (act)." : $"API '{api.Name}' does not accept delegated tokens (act) from this actor."), api?.Name);
        }

        if (api is null)
        {
            return _next(context);
        }

        var user = context.User;
        if (result.Succeeded && (api.AcceptedAuthorities is not null || api.AcceptedAudiences is not null)
            && NotAccepted(api, _authorities.AuthorityOf(context, result), user) is { } refusal)
        {
            return RefuseAsync(context, refusal, api.Name);
        }

        if (api.Options.AllowedClients is { Count: > 0 } allowed)
        {
            var client = CallerClaims.ClientId(user);
            if (client is null || !allowed.Contains(client, StringComparer.Ordinal))
            {
                _refusals.Count("client_not_allowed", "API", api.Name);
                Log.ClientNotAllowed(_logger, api.Name);
                return ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "client_not_allowed",
                    "This client application may not call this API", $"API '{api.Name}' does not accept calls from client '{client ?? "(none)"}'.");
            }
        }

        if (api.Options.RequiredScopes is { Count: > 0 } required)
        {
            var granted = GrantedScopes(context);
            var missing = required.Where(s => !granted.Contains(s)).ToList();
            if (missing.Count > 0)
            {
                _refusals.Count("insufficient_scope", "API", api.Name);
                Log.ScopeMissing(_logger, api.Name, string.Join(' ', missing));
                var scope = string.Join(' ', required);
                context.Response.Headers.WWWAuthenticate =
                    BearerChallenge.Build("insufficient_scope", $"API '{api.Name}' needs scope '{scope}'") + $", scope=\"{scope}\"";
                return ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "insufficient_scope",
                    "The token lacks a required scope", $"API '{api.Name}' needs: {scope}; missing: {string.Join(' ', missing)}.");
            }
        }

        return _next(context);
    }

    /// <summary>A valid token this route does not take: 401 <c>invalid_token</c> with its RFC 6750 challenge, counted and logged at Debug.</summary>
    private Task RefuseAsync(HttpContext context, Refusal refusal, string? api)
    {
        _meter.AuthFailure(refusal.Reason, refusal.Authority);
        _refusals.Count(refusal.Reason, "authority", refusal.Authority);
        Log.TokenNotAccepted(_logger, api ?? "(none)", refusal.Reason, refusal.Authority);
        context.Response.Headers.WWWAuthenticate = BearerChallenge.Build("invalid_token", refusal.Description);
        return ProblemResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, "invalid_token", "The access token is not valid", refusal.Description);
    }

    /// <summary>
    /// The API's <c>Authorities</c> and <c>Audiences</c>: a valid token from another authority, or without one of the
    /// API's audiences, is not one for this API (401 <c>invalid_token</c>, never exchanged). Null when it is.
    /// </summary>
    private static Refusal? NotAccepted(ApiDefinition api, GatewayAuthority? authority, ClaimsPrincipal user)
    {
        var name = authority?.Name ?? "none";
        if (api.AcceptedAuthorities is { } authorities && !authorities.Contains(name))
        {
            return new Refusal("authority_not_accepted", name, $"API '{api.Name}' does not accept tokens from authority '{name}'.");
        }

        if (api.AcceptedAudiences is { } audiences)
        {
            foreach (var claim in user.Claims)
            {
                if (claim.Type == "aud" && audiences.Contains(claim.Value))
                {
                    return null;
                }
            }

            return new Refusal("audience_not_accepted", name, $"The token's audience is not one API '{api.Name}' accepts.");
        }

        return null;
    }

    /// <summary>The space-separated <c>scope</c> claim and the <c>permissions</c> array (Auth0 RBAC).</summary>
    private static HashSet<string> GrantedScopes(HttpContext context)
    {
        var granted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in context.User.Claims)
        {
            if (claim.Type is "scope" or "scp")
            {
                granted.UnionWith(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
            else if (claim.Type == "permissions")
            {
                granted.Add(claim.Value);
            }
        }

        return granted;
    }

    private sealed record Refusal(string Reason, string Authority, string Description);

    private static partial class Log
    {
        [LoggerMessage(302, LogLevel.Debug, "Refused a call to API {Api}: {Reason} (authority {Authority}).")]
        public static partial void TokenNotAccepted(ILogger logger, string api, string reason, string authority);

        [LoggerMessage(300, LogLevel.Debug, "Refused a call to API {Api}: the client application is not allowed.")]
        public static partial void ClientNotAllowed(ILogger logger, string api);

        [LoggerMessage(301, LogLevel.Debug, "Refused a call to API {Api}: missing scope(s) {Missing}.")]
        public static partial void ScopeMissing(ILogger logger, string api, string missing);

        [LoggerMessage(310, LogLevel.Error, "Route {Route} is bound to API {Api}, which the configuration does not define; answering 503 until a configuration defines it or the route changes.")]
        public static partial void ApiNotConfigured(ILogger logger, string route, string api);
    }
}
