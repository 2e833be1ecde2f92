namespace WamsGateway.Configuration;

/// <summary>
/// What a route may say about its API, checked when configuration loads at start-up, when YARP
/// reloads routes and when the gateway's APIs reload, so all three report the same thing in the same words.
/// </summary>
internal static class RouteApiRules
{
    public const string AnonymousPolicy = "anonymous";

    public static bool IsAnonymous(string? authorizationPolicy) =>
        string.Equals(authorizationPolicy, AnonymousPolicy, StringComparison.OrdinalIgnoreCase);

    /// <param name="routeId">The YARP route.</param>
    /// <param name="authorizationPolicy">Its <c>AuthorizationPolicy</c>.</param>
    /// <param name="apiName">Its <c>Metadata:Api</c>.</param>
    /// <param name="requiresCaller">For a defined API, whether it needs a signed-in caller; null when the API is not defined.</param>
    public static string? Check(string routeId, string? authorizationPolicy, string? apiName, Func<string, bool?> requiresCaller)
    {
        var key = $"ReverseProxy:Routes:{routeId}:Metadata:{RouteMetadata.Api}";
        if (string.IsNullOrWhiteSpace(apiName))
        {
            return $"{key}: empty; name an API defined under {WamsGatewayOptions.SectionName}:Apis, or remove the key.";
        }

        var needsUser = requiresCaller(apiName);
        if (needsUser is null)
        {
            return $"{key}: API '{apiName}' is not defined under {WamsGatewayOptions.SectionName}:Apis.";
        }

        if (needsUser.Value && IsAnonymous(authorizationPolicy))
        {
            return $"{key}: API '{apiName}' needs a signed-in caller (its Exchange or policy), but the route is anonymous; remove \"AuthorizationPolicy\": \"anonymous\" or use an API with Exchange None and no policy.";
        }

        return null;
    }
}
