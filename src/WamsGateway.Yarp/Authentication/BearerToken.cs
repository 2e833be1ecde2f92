namespace WamsGateway.Authentication;

/// <summary>
/// The caller's token: the bearer token of the request, read the way JwtBearer reads it (RFC 6750
/// section 2.1), or the one the route's API took from its <c>TokenHeader</c> (<see cref="TokenHeaderFeature"/>).
/// </summary>
internal static class BearerToken
{
    private const string Prefix = "Bearer ";

    /// <summary>The token authentication validated: from the API's <c>TokenHeader</c> when it came from there, else <c>Authorization</c>.</summary>
    public static string? Of(HttpContext context) => context.Features.Get<TokenHeaderFeature>()?.Token ?? From(context.Request);

    public static string? From(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && authorization[Prefix.Length..].Trim() is { Length: > 0 } token
            ? token
            : null;
    }
}

/// <summary>The caller's token, when the route's API took it from its <c>TokenHeader</c> instead of <c>Authorization</c>.</summary>
internal sealed record TokenHeaderFeature(string Header, string Token);
