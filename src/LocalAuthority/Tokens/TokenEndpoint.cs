using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LocalAuthority.Tokens;

/// <summary>
/// <c>POST /oauth/token</c>. The password grant signs the configured demo users in, as Auth0's
/// resource-owner grant does: an access token for the requested audience and an ID token for the client.
/// </summary>
public static class TokenEndpoint
{
    public const string Path = "/oauth/token";

    private static readonly string[] PasswordGrants = ["password", "http://auth0.com/oauth/grant-type/password-realm"];

    public static void MapTokenEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext context, TokenIssuer issuer, IOptions<LocalAuthorityOptions> options)
    {
        var request = await TokenRequest.ReadAsync(context.Request);
        if (request is null)
        {
            return OAuthErrors.Error("invalid_request", "Send a form or JSON body.");
        }

        var settings = options.Value;
        if (request.ClientId is null || !settings.Clients.TryGetValue(request.ClientId, out var client))
        {
            return OAuthErrors.Error("invalid_client", "Unknown client.", StatusCodes.Status401Unauthorized);
        }

        if (client.Secret is not null && !FixedTimeEquals(client.Secret, request.ClientSecret))
        {
            return OAuthErrors.Error("invalid_client", "Client authentication failed.", StatusCodes.Status401Unauthorized);
        }

        var grantType = request["grant_type"];
        if (grantType is null || !PasswordGrants.Contains(grantType))
        {
            return OAuthErrors.Error("unsupported_grant_type", $"Grant type '{grantType}' is not supported here.");
        }

        return PasswordGrant(request, request.ClientId, issuer, settings);
    }

    private static IResult PasswordGrant(TokenRequest request, string clientId, TokenIssuer issuer, LocalAuthorityOptions settings)
    {
        var username = request["username"];
        if (username is null || !settings.Users.TryGetValue(username, out var user) || !FixedTimeEquals(user.Password, request["password"]))
        {
            return OAuthErrors.Error("invalid_grant", "Wrong email or password.", StatusCodes.Status403Forbidden);
        }

        var audience = request["audience"] ?? settings.DefaultAudience;
        var scope = request["scope"] ?? "openid";
        var subject = user.Subject ?? "auth0|" + username;
        var lifetime = settings.TokenLifetime;
        var response = new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)lifetime.TotalSeconds,
            ["scope"] = scope,
        };

        if (audience is not null)
        {
            var claims = new Dictionary<string, object>
            {
                ["sub"] = subject,
                ["aud"] = new[] { audience, issuer.Issuer + "userinfo" },
                ["azp"] = clientId,
                ["scope"] = scope,
                ["permissions"] = user.Permissions.ToArray(),
                ["gty"] = "password",
            };
            if (user.Email is not null)
            {
                claims["email"] = user.Email;
            }

            response["access_token"] = issuer.Create(claims, lifetime);
        }

        if (scope.Split(' ').Contains("openid"))
        {
            var claims = new Dictionary<string, object> { ["sub"] = subject, ["aud"] = clientId, ["azp"] = clientId };
            if (user.Email is not null)
            {
                claims["email"] = user.Email;
                claims["email_verified"] = true;
            }

            if (user.Name is not null)
            {
                claims["name"] = user.Name;
            }

            response["id_token"] = issuer.Create(claims, lifetime);
        }

        if (!response.ContainsKey("access_token") && !response.ContainsKey("id_token"))
        {
            return OAuthErrors.Error("invalid_request", "Ask for an audience, or for the openid scope.");
        }

        return Results.Json(response);
    }

    private static bool FixedTimeEquals(string expected, string? actual) =>
        actual is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
