using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Options;
using WamsGateway.Authentication;
using WamsGateway.Configuration;
using WamsGateway.Delegation;

namespace WamsGateway.Exchanges.TokenExchange;

/// <summary>OAuth 2.0 Token Exchange (RFC 8693), with the gateway authenticating as a confidential client.</summary>
internal sealed class TokenExchangeExchange : BearerExchangeKind<TokenExchangeOptions>
{
    public const string Name = "TokenExchange";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IServiceProvider _services;
    private readonly IOptions<WamsGatewayOptions> _options;
    private readonly TimeProvider _time;

    public TokenExchangeExchange(IHttpClientFactory httpClientFactory, IServiceProvider services, IOptions<WamsGatewayOptions> options, TimeProvider time)
    {
        _httpClientFactory = httpClientFactory;
        // The authorities' metadata is read only when no TokenEndpoint is configured.
        _services = services;
        _options = options;
        _time = time;
    }

    public override IEnumerable<string> CredentialAudiences(TokenExchangeOptions options) =>
        new[] { options.Audience, options.Resource }.OfType<string>();

    public override void Validate(TokenExchangeOptions options, ExchangeValidationContext context)
    {
        base.Validate(options, context);
        if (string.IsNullOrWhiteSpace(options.ClientId) || string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            context.Problem($"{context.ApiKey}:ClientId and {context.ApiKey}:ClientSecret: required for TokenExchange; the gateway authenticates to the token endpoint as this client.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience) && string.IsNullOrWhiteSpace(options.Resource) && string.IsNullOrWhiteSpace(options.Scope))
        {
            context.Problem("Audience", "name the API the exchanged token is for (Audience, Resource or Scope).");
        }

        context.RequireHttpsUrl("TokenEndpoint", options.TokenEndpoint);
        if (options.Resource is { } resource && !Uri.TryCreate(resource, UriKind.Absolute, out _))
        {
            context.Problem("Resource", $"'{resource}' must be an absolute URI (RFC 8693 section 2.1).");
        }
    }

    public override async Task<DelegatedCredential> ExchangeAsync(ExchangeRequest<TokenExchangeOptions> request, CancellationToken cancellationToken)
    {
        var api = request.Options;
        var http = _httpClientFactory.CreateClient(DelegationExtensions.HttpClientName);
        var response = await http.RequestTokenExchangeTokenAsync(new TokenExchangeTokenRequest
        {
            Address = api.TokenEndpoint ?? await DiscoveredTokenEndpointAsync(request.AuthorityName, cancellationToken),
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

        return ProviderAnswers.Read(response, "access_token", _time, _options.Value.Delegation.DefaultRetryAfter);
    }

    /// <summary>The token endpoint in the discovery document of the authority that issued the caller's token.</summary>
    private async Task<string> DiscoveredTokenEndpointAsync(string? authorityName, CancellationToken cancellationToken)
    {
        var authorities = _services.GetRequiredService<GatewayAuthorities>();
        var authority = authorities.Find(authorityName) ?? authorities.Default;
        try
        {
            var configuration = await authority.Metadata.GetConfigurationAsync(cancellationToken);
            return configuration.TokenEndpoint is { Length: > 0 } endpoint
                ? endpoint
                : throw new DelegationException(DelegationFailure.InvalidResponse, "The discovery document names no token_endpoint; configure TokenEndpoint.");
        }
        catch (AuthorityUnavailableException ex)
        {
            throw new DelegationException(DelegationFailure.Unavailable, "The discovery document cannot be read.", retryAfter: _options.Value.Delegation.DefaultRetryAfter, innerException: ex);
        }
    }
}
