using Duende.IdentityModel.Client;
namespace WamsGateway.Exchanges.Auth0;

/// <summary>
/// One <c>POST {Authority}delegation</c> (docs/protocols.md, "Auth0 legacy delegation"), shared by the kinds that use
/// Auth0's add-ons: the caller's token as <c>id_token</c>, the API's target, and an <c>api_type</c>.
/// </summary>
internal static class Auth0DelegationCall
{
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <param name="http">The delegation HttpClient (with its resilience pipeline).</param>
    /// <param name="request">The caller and the API.</param>
    /// <param name="target">The API's delegation settings.</param>
    /// <param name="authority">Where <c>/delegation</c> is when the API names no <c>Endpoint</c>.</param>
    /// <param name="apiType">The add-on: app, wams, aws, ...</param>
    /// <param name="extra">Parameters of that add-on (AWS: role, principal).</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    public static Task<TokenResponse> SendAsync<TOptions>(HttpClient http, ExchangeRequest<TOptions> request, Target target, string authority, string apiType,
        IEnumerable<KeyValuePair<string, string>> extra, CancellationToken cancellationToken)
        where TOptions : class
    {
        var clientId = target.ClientId ?? request.ClientId ?? SingleAudience(request.User)
            ?? throw new DelegationException(DelegationFailure.Denied, "The token names no client (azp, client_id or a single aud) and no ClientId is configured.", "invalid_client");

        var tokenRequest = new TokenRequest
        {
            Address = target.Endpoint ?? authority.TrimEnd('/') + "/delegation",
            GrantType = JwtBearerGrant,
            ClientId = clientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Parameters =
            {
                { "id_token", request.SubjectToken },
                { "target", target.Client },
                { "api_type", apiType },
                { "scope", target.Scope ?? "openid" },
            },
        };
        foreach (var (name, value) in extra)
        {
            tokenRequest.Parameters.Add(name, value);
        }

        return http.RequestTokenAsync(tokenRequest, cancellationToken);
    }

    private static string? SingleAudience(System.Security.Claims.ClaimsPrincipal user)
    {
        var audiences = user.FindAll("aud").ToList();
        return audiences.Count == 1 ? audiences[0].Value : null;
    }

    /// <summary>Where and for whom: an API's delegation settings, whichever kind calls.</summary>
    /// <param name="Endpoint">The delegation endpoint, when not the authority's.</param>
    /// <param name="ClientId">The client id sent, when not the caller's.</param>
    /// <param name="Client">The target application's client id.</param>
    /// <param name="Scope">The scope asked for.</param>
    public sealed record Target(string? Endpoint, string? ClientId, string Client, string? Scope);
}
