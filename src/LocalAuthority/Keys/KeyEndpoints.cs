namespace LocalAuthority.Keys;

public static class KeyEndpoints
{
    /// <summary><c>POST /admin/rotate-keys</c>: a new signing key; the old ones stay in the JWKS.</summary>
    public static void MapKeyRotation(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/admin/rotate-keys", (SigningKeyStore keys) => Results.Json(new { kid = keys.Rotate() }));
}
