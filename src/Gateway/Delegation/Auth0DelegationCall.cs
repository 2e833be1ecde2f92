using Duende.IdentityModel.Client;
using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

/// <summary>
/// One <c>POST {Authority}delegation</c> (docs/protocols.md, "Auth0 legacy delegation"), shared by the kinds that use
/// Auth0's add-ons: the caller's token as <c>id_token</c>, the API's target, and an <c>api_type</c>.
/// </summary>
internal static class Auth0DelegationCall
{
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <param name="http">The delegation HttpClient (with its resilience pipeline).</param>
    /// <param name="request">The caller and the API.</param>
    /// <param name="authority">Where <c>/delegation</c> is when the API names no <c>Endpoint</c>.</param>
    /// <param name="apiType">The add-on: app, wams, aws, ...</param>
    /// <param name="extra">Parameters of that add-on (AWS: role, principal).</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    public static Task<TokenResponse> SendAsync(HttpClient http, DelegationRequest request, string authority, string apiType,
        IEnumerable<KeyValuePair<string, string>> extra, CancellationToken cancellationToken)
    {
        var api = request.Options;
        var clientId = api.ClientId ?? request.ClientId ?? SingleAudience(request)
            ?? throw new DelegationException(DelegationFailure.Denied, "The token names no client (azp, client_id or a single aud) and no ClientId is configured.", "invalid_client");

        var tokenRequest = new TokenRequest
        {
            Address = api.Endpoint ?? authority.TrimEnd('/') + "/delegation",
            GrantType = JwtBearerGrant,
            ClientId = clientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Parameters =
            {
                { "id_token", request.SubjectToken },
                { "target", api.Target! },
                { "api_type", apiType },
                { "scope", api.Scope ?? "openid" },
            },
        };
        foreach (var (name, value) in extra)
        {
            tokenRequest.Parameters.Add(name, value);
        }

        return http.RequestTokenAsync(tokenRequest, cancellationToken);
    }

    private static string? SingleAudience(DelegationRequest request)
    {
        var audiences = request.User.FindAll("aud").ToList();
        return audiences.Count == 1 ? audiences[0].Value : null;
    }
}
