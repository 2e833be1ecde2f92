using LocalAuthority.Keys;
using LocalAuthority.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace LocalAuthority.Discovery;

/// <summary>OIDC discovery and the JWKS, at Auth0's paths.</summary>
public static class DiscoveryEndpoints
{
    public static void MapDiscovery(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/.well-known/openid-configuration", (TokenIssuer issuer) => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer.Issuer,
            ["jwks_uri"] = issuer.Issuer + ".well-known/jwks.json",
            ["token_endpoint"] = issuer.Issuer + TokenEndpoint.Path.TrimStart('/'),
            ["authorization_endpoint"] = issuer.Issuer + "authorize",
            ["response_types_supported"] = new[] { "token", "id_token" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
            ["grant_types_supported"] = new[] { "password", "http://auth0.com/oauth/grant-type/password-realm", TokenEndpoint.TokenExchangeGrant },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post", "none" },
        }));

        endpoints.MapGet("/.well-known/jwks.json", (SigningKeyStore keys) => Results.Json(new
        {
            keys = keys.Published.Select(key =>
            {
                var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
                return new Dictionary<string, string>
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = SecurityAlgorithms.RsaSha256,
                    ["kid"] = key.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                };
            }),
        }));
    }
}
