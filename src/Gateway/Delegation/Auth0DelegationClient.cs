using Duende.IdentityModel.Client;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

/// <summary>
/// Auth0's legacy <c>/delegation</c> endpoint (PROTOCOLS.md section 1): the call each client app
/// used to make itself with <c>GetDelegationToken</c>. The caller's token goes as <c>id_token</c>.
/// </summary>
internal sealed class Auth0DelegationClient : IDelegationClient
{
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly AuthenticationSettings _authentication;
    private readonly DelegationSettings _settings;
    private readonly TimeProvider _time;

    public Auth0DelegationClient(IHttpClientFactory httpClientFactory, IOptions<GatewayOptions> options, TimeProvider time)
    {
        _httpClientFactory = httpClientFactory;
        _authentication = options.Value.Authentication;
        _settings = options.Value.Delegation;
        _time = time;
    }

    public ExchangeKind Kind => ExchangeKind.Auth0Delegation;

    public async Task<DelegatedCredential> ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken)
    {
        var api = request.Options;
        var clientId = api.ClientId ?? request.ClientId ?? SingleAudience(request)
            ?? throw new DelegationException(DelegationFailure.Denied, "The token names no client (azp, client_id or a single aud) and no ClientId is configured.", "invalid_client");

        var http = _httpClientFactory.CreateClient(DelegationExtensions.HttpClientName);
        var response = await http.RequestTokenAsync(new TokenRequest
        {
            Address = api.Endpoint ?? _authentication.Authority!.TrimEnd('/') + "/delegation",
            GrantType = JwtBearerGrant,
            ClientId = clientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Parameters =
            {
                { "id_token", request.SubjectToken },
                { "target", api.Target! },
                { "api_type", api.ApiType ?? "app" },
                { "scope", api.Scope ?? "openid" },
            },
        }, cancellationToken);

        return ProviderAnswers.Read(response, "id_token", _time, _settings.DefaultRetryAfter);
    }

    private static string? SingleAudience(DelegationRequest request)
    {
        var audiences = request.User.FindAll("aud").ToList();
        return audiences.Count == 1 ? audiences[0].Value : null;
    }
}
