namespace WamsGateway.Configuration;

/// <summary>
/// What a route may say about its API, checked both when configuration loads at start-up and
/// when YARP reloads routes, so both report the same thing in the same words.
/// </summary>
internal static class RouteApiRules
{
    public const string AnonymousPolicy = "anonymous";

    public static string? Check(string routeId, string? authorizationPolicy, string? apiName, GatewayOptions options)
    {
        var key = $"ReverseProxy:Routes:{routeId}:Metadata:{RouteMetadata.Api}";
        if (string.IsNullOrWhiteSpace(apiName))
        {
            return $"{key}: empty; name an API defined under {GatewayOptions.SectionName}:Apis, or remove the key.";
        }

        if (!options.Apis.TryGetValue(apiName, out var api))
        {
            return $"{key}: API '{apiName}' is not defined under {GatewayOptions.SectionName}:Apis.";
        }

        var needsUser = api.Exchange is not (ExchangeKind.None or null) || api.AllowedClients is { Count: > 0 } || api.RequiredScopes is { Count: > 0 };
        if (needsUser && string.Equals(authorizationPolicy, AnonymousPolicy, StringComparison.OrdinalIgnoreCase))
        {
            return $"{key}: API '{apiName}' needs a signed-in caller (its Exchange or policy), but the route is anonymous; remove \"AuthorizationPolicy\": \"anonymous\" or use an API with Exchange None and no policy.";
        }

        return null;
    }
}
