namespace WamsGateway.Authentication;

/// <summary>
/// The caller's token: the bearer token of the request, read the way JwtBearer reads it (RFC 6750
/// section 2.1), or the one the route's API took from its <c>TokenHeader</c> (<see cref="CallerToken"/>).
/// </summary>
internal static class BearerToken
{
    private const string Prefix = "Bearer ";

    /// <summary>The token authentication read: from the API's <c>TokenHeader</c> when it came from there, else <c>Authorization</c>.</summary>
    public static string? Of(HttpContext context) => context.Features.Get<CallerToken>()?.Token ?? From(context.Request);

    public static string? From(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && authorization[Prefix.Length..].Trim() is { Length: > 0 } token
            ? token
            : null;
    }
}
