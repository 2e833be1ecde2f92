namespace WamsGateway.Authentication;

/// <summary>The bearer token of a request, read the way JwtBearer reads it (RFC 6750 section 2.1).</summary>
internal static class BearerToken
{
    private const string Prefix = "Bearer ";

    public static string? From(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && authorization[Prefix.Length..].Trim() is { Length: > 0 } token
            ? token
            : null;
    }
}
