using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LocalAuthority.Tokens;

/// <summary>
/// Auth0's legacy <c>POST /delegation</c> (docs/protocols.md, "Auth0 legacy delegation"): an ID token of ours for
/// <c>client_id</c> becomes a token for <c>target</c>: an RS256 id_token (<c>api_type=app</c>), or
/// a ZUMO token signed with the target's WAMS master key (<c>api_type=wams</c>).
/// </summary>
public static class DelegationEndpoint
{
    private const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    public static void MapDelegation(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/delegation", HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext context, TokenIssuer issuer, SubjectTokens subjects, ExchangeControl control, Aws.AwsCredentialIssuer aws, TimeProvider time, IOptions<LocalAuthorityOptions> options)
    {
        control.CountDelegation();
        if (await control.MisbehaveAsync(context, time) is { } misbehaviour)
        {
            return misbehaviour;
        }

        var request = await TokenRequest.ReadAsync(context.Request);
        if (request is null)
        {
            return OAuthErrors.Error("invalid_request", "Send a form or JSON body.");
        }

        var settings = options.Value;
        if (request.ClientId is null || !settings.Clients.ContainsKey(request.ClientId))
        {
            return OAuthErrors.Error("invalid_client", "Unknown client.", StatusCodes.Status401Unauthorized);
        }

        if (request["grant_type"] != JwtBearerGrant)
        {
            return OAuthErrors.Error("unsupported_grant_type", $"Delegation takes grant_type {JwtBearerGrant}.");
        }

        // Like Auth0: an ID token issued to the calling client, never an access token.
        var subject = await subjects.ValidateAsync(request["id_token"], audience: request.ClientId);
        if (subject is null)
        {
            return OAuthErrors.Error("invalid_grant", "id_token is missing, not valid, or not issued to this client_id.", StatusCodes.Status401Unauthorized);
        }

        var target = request["target"];
        if (target is null || !settings.Clients.TryGetValue(target, out var targetClient))
        {
            return OAuthErrors.Error("invalid_request", "Unknown target.");
        }

        var lifetime = settings.TokenLifetime;
        var sub = subject.FindFirst("sub")?.Value ?? string.Empty;
        string token;
        switch (request["api_type"] ?? "app")
        {
            case "app":
                var claims = new Dictionary<string, object> { ["sub"] = sub, ["aud"] = target, ["azp"] = request.ClientId };
                if (subject.FindFirst("email")?.Value is { } email)
                {
                    claims["email"] = email;
                }

                token = issuer.Create(claims, lifetime);
                break;
            case "wams" when targetClient.WamsMasterKey is { } masterKey:
                token = MintZumo(sub, target, masterKey, time.GetUtcNow(), lifetime);
                break;
            case "wams":
                return OAuthErrors.Error("invalid_request", "The target has no WAMS add-on (no WamsMasterKey).");
            case "aws" when aws.Configured && request["role"] is { } role && request["principal"] is not null:
                // The AWS add-on: STS-shaped credentials for the role, named after the user.
                var session = System.Text.RegularExpressions.Regex.Replace(sub, @"[^\w+=,.@-]", "-");
                var credentials = aws.Issue(sub, role, session, lifetime);
                // Auth0 answers with STS's PascalCase names; ASP.NET Core would camel-case an anonymous type.
                return Results.Json(new Dictionary<string, object>
                {
                    ["Credentials"] = new Dictionary<string, string>
                    {
                        ["AccessKeyId"] = credentials.AccessKeyId,
                        ["SecretAccessKey"] = credentials.SecretAccessKey,
                        ["SessionToken"] = credentials.SessionToken,
                        ["Expiration"] = credentials.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                    },
                    ["AssumedRoleUser"] = new Dictionary<string, string>
                    {
                        ["Arn"] = Aws.StsEndpoint.AssumedRoleArn(role, session),
                        ["AssumedRoleId"] = "AROA" + credentials.AccessKeyId[4..] + ":" + session,
                    },
                    ["Subject"] = sub,
                });
            case "aws":
                return OAuthErrors.Error("invalid_request", "api_type aws needs role and principal, and LocalAuthority:AwsRootSecret.");
            default:
                return OAuthErrors.Error("invalid_request", "Unsupported api_type.");
        }

        return Results.Json(new Dictionary<string, object> { ["id_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = (int)lifetime.TotalSeconds });
    }

    // What the WAMS add-on minted: HS256 with the raw SHA-256 of master key + "JWTSig", kid "0".
    private static string MintZumo(string uid, string audience, string masterKey, DateTimeOffset now, TimeSpan lifetime)
    {
        var key = new SymmetricSecurityKey(SHA256.HashData(Encoding.UTF8.GetBytes(masterKey + "JWTSig"))) { KeyId = "0" };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "urn:microsoft:windows-azure:zumo",
            Audience = audience,
            Expires = (now + lifetime).UtcDateTime,
            Claims = new Dictionary<string, object> { ["uid"] = uid, ["ver"] = 2 },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}
