using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Options;
using WamsGateway.Authentication;
using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

/// <summary>OAuth 2.0 Token Exchange (RFC 8693), with the gateway authenticating as a confidential client.</summary>
internal sealed class TokenExchangeClient : IDelegationClient
{
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly AuthorityMetadata _metadata;
    private readonly DelegationSettings _settings;
    private readonly TimeProvider _time;

    public TokenExchangeClient(IHttpClientFactory httpClientFactory, AuthorityMetadata metadata, IOptions<GatewayOptions> options, TimeProvider time)
    {
        _httpClientFactory = httpClientFactory;
        _metadata = metadata;
        _settings = options.Value.Delegation;
        _time = time;
    }

    public ExchangeKind Kind => ExchangeKind.TokenExchange;

    public async Task<DelegatedCredential> ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken)
    {
        var api = request.Options;
        var http = _httpClientFactory.CreateClient(DelegationExtensions.HttpClientName);
        var response = await http.RequestTokenExchangeTokenAsync(new TokenExchangeTokenRequest
        {
            Address = api.TokenEndpoint ?? await DiscoveredTokenEndpointAsync(cancellationToken),
            ClientId = api.ClientId!,
            ClientSecret = api.ClientSecret,
            ClientCredentialStyle = api.ClientAuthentication == ClientAuthentication.Body ? ClientCredentialStyle.PostBody : ClientCredentialStyle.AuthorizationHeader,
            SubjectToken = request.SubjectToken,
            SubjectTokenType = api.SubjectTokenType ?? OidcConstants.TokenTypeIdentifiers.AccessToken,
            Audience = api.Audience,
            Resource = api.Resource,
            Scope = api.Scope,
            RequestedTokenType = api.RequestedTokenType,
        }, cancellationToken);

        return ProviderAnswers.Read(response, "access_token", _time, _settings.DefaultRetryAfter);
    }

    private async Task<string> DiscoveredTokenEndpointAsync(CancellationToken cancellationToken)
    {
        try
        {
            var configuration = await _metadata.GetConfigurationAsync(cancellationToken);
            return configuration.TokenEndpoint is { Length: > 0 } endpoint
                ? endpoint
                : throw new DelegationException(DelegationFailure.InvalidResponse, "The discovery document names no token_endpoint; configure TokenEndpoint.");
        }
        catch (AuthorityUnavailableException ex)
        {
            throw new DelegationException(DelegationFailure.Unavailable, "The discovery document cannot be read.", retryAfter: _settings.DefaultRetryAfter, innerException: ex);
        }
    }
}
