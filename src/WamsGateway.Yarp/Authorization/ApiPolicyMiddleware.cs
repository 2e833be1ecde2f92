using WamsGateway.Authentication;
using WamsGateway.Configuration;
using WamsGateway.Errors;

namespace WamsGateway.Authorization;

/// <summary>
/// In YARP's proxy pipeline, before any exchange: the route's API decides which client apps may
/// call it (<c>AllowedClients</c>) and which scopes they need (<c>RequiredScopes</c>).
/// </summary>
internal sealed partial class ApiPolicyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ApiCatalog _catalog;
    private readonly ILogger<ApiPolicyMiddleware> _logger;

    public ApiPolicyMiddleware(RequestDelegate next, ApiCatalog catalog, ILogger<ApiPolicyMiddleware> logger)
    {
        _next = next;
        _catalog = catalog;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var api = _catalog.ForRequest(context).Api;
        if (api is null)
        {
            await _next(context);
            return;
        }

        var user = context.User;
        if (api.Options.AllowedClients is { Count: > 0 } allowed)
        {
            var client = CallerClaims.ClientId(user);
            if (client is null || !allowed.Contains(client, StringComparer.Ordinal))
            {
                Log.ClientNotAllowed(_logger, api.Name);
                await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "client_not_allowed",
                    "This client application may not call this API", $"API '{api.Name}' does not accept calls from client '{client ?? "(none)"}'.");
                return;
            }
        }

        if (api.Options.RequiredScopes is { Count: > 0 } required)
        {
            var granted = GrantedScopes(context);
            var missing = required.Where(s => !granted.Contains(s)).ToList();
            if (missing.Count > 0)
            {
                Log.ScopeMissing(_logger, api.Name, string.Join(' ', missing));
                var scope = string.Join(' ', required);
                context.Response.Headers.WWWAuthenticate =
                    GatewayJwtBearerEvents.BuildChallenge("insufficient_scope", $"API '{api.Name}' needs scope '{scope}'") + $", scope=\"{scope}\"";
                await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "insufficient_scope",
                    "The token lacks a required scope", $"API '{api.Name}' needs: {scope}; missing: {string.Join(' ', missing)}.");
                return;
            }
        }

        await _next(context);
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

    private static partial class Log
    {
        [LoggerMessage(300, LogLevel.Information, "Refused a call to API {Api}: the client application is not allowed.")]
        public static partial void ClientNotAllowed(ILogger logger, string api);

        [LoggerMessage(301, LogLevel.Information, "Refused a call to API {Api}: missing scope(s) {Missing}.")]
        public static partial void ScopeMissing(ILogger logger, string api, string missing);
    }
}
