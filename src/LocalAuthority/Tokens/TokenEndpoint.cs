using Microsoft.Extensions.Options;

namespace LocalAuthority.Tokens;

/// <summary>
/// <c>POST /oauth/token</c>. The password grant signs the configured demo users in, as Auth0's
/// resource-owner grant does: an access token for the requested audience and an ID token for the client.
/// </summary>
public static class TokenEndpoint
{
    public const string Path = "/oauth/token";

    public const string TokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange";

    private static readonly string[] PasswordGrants = ["password", "http://auth0.com/oauth/grant-type/password-realm"];

    public static void MapTokenEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext context, TokenIssuer issuer, SubjectTokens subjects, ExchangeControl control, TimeProvider time, IOptions<LocalAuthorityOptions> options)
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

        if (client.Secret is not null && !Secrets.FixedTimeEquals(client.Secret, request.ClientSecret))
        {
            return OAuthErrors.Error("invalid_client", "Client authentication failed.", StatusCodes.Status401Unauthorized);
        }

        var grantType = request["grant_type"];
        if (grantType == TokenExchangeGrant)
        {
            control.CountTokenExchange();
            return await control.MisbehaveAsync(context, time)
                ?? await TokenExchangeAsync(request, request.ClientId, client, issuer, subjects, settings);
        }

        if (grantType is null || !PasswordGrants.Contains(grantType))
        {
            return OAuthErrors.Error("unsupported_grant_type", $"Grant type '{grantType}' is not supported here.");
        }

        return PasswordGrant(request, request.ClientId, issuer, settings);
    }

    /// <summary>
    /// RFC 8693 on behalf of a confidential client: the subject token must be one of ours; the new
    /// access token keeps its subject, is for the requested audience, and names the acting client in <c>act</c>.
    /// </summary>
    private static async Task<IResult> TokenExchangeAsync(TokenRequest request, string clientId, ClientOptions client, TokenIssuer issuer, SubjectTokens subjects, LocalAuthorityOptions settings)
    {
        if (client.Secret is null)
        {
            return OAuthErrors.Error("unauthorized_client", "Only confidential clients may exchange tokens.", StatusCodes.Status403Forbidden);
        }

        var subjectType = request["subject_token_type"];
        if (subjectType is not ("urn:ietf:params:oauth:token-type:access_token" or "urn:ietf:params:oauth:token-type:id_token" or "urn:ietf:params:oauth:token-type:jwt"))
        {
            return OAuthErrors.Error("invalid_request", "subject_token_type must name an access token, ID token or JWT.");
        }

        var subject = await subjects.ValidateAsync(request["subject_token"], audience: null);
        if (subject is null)
        {
            return OAuthErrors.Error("invalid_request", "The subject token is not valid.");
        }

        var audience = request["audience"] ?? request["resource"];
        if (audience is null)
        {
            return OAuthErrors.Error("invalid_target", "Name the audience (or resource) the new token is for.");
        }

        // The subject keeps only what its permissions allow, whatever the acting client asks for.
        var sub = subject.FindFirst("sub")?.Value;
        var scope = ScopeGrant.For(request["scope"] ?? subject.FindFirst("scope")?.Value, ScopeGrant.UserBySubject(settings, sub));
        var claims = new Dictionary<string, object>
        {
            ["sub"] = sub ?? string.Empty,
            ["aud"] = audience,
            ["azp"] = clientId,
            ["scope"] = scope,
            ["act"] = new Dictionary<string, object> { ["sub"] = clientId },
        };
        if (subject.FindFirst("email")?.Value is { } email)
        {
            claims["email"] = email;
            if (subject.FindFirst("email_verified")?.Value is "true" or "True")
            {
                claims["email_verified"] = true;
            }
        }

        var lifetime = settings.TokenLifetime;
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = issuer.Create(claims, lifetime),
            ["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)lifetime.TotalSeconds,
            ["scope"] = scope,
        });
    }

    private static IResult PasswordGrant(TokenRequest request, string clientId, TokenIssuer issuer, LocalAuthorityOptions settings)
    {
        var username = request["username"];
        if (username is null || !settings.Users.TryGetValue(username, out var user) || !Secrets.FixedTimeEquals(user.Password, request["password"]))
        {
            return OAuthErrors.Error("invalid_grant", "Wrong email or password.", StatusCodes.Status403Forbidden);
        }

        var audience = request["audience"] ?? settings.DefaultAudience;
        var scope = ScopeGrant.For(request["scope"] ?? "openid", user);
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
                // As an Auth0 rule or action that adds the address to access tokens does: with whether it was verified.
                claims["email"] = user.Email;
                claims["email_verified"] = true;
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
}
