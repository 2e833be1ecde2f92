using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Exchanges.Auth0;
using WamsGateway.Delegation;

namespace WamsGateway.Exchanges.Auth0Delegation;

/// <summary>
/// Auth0's legacy <c>/delegation</c> endpoint (docs/protocols.md, "Auth0 legacy delegation"): the call each client app
/// used to make itself with <c>GetDelegationToken</c>. The caller's token goes as <c>id_token</c>.
/// </summary>
internal sealed class Auth0DelegationExchange : BearerExchangeKind<Auth0DelegationOptions>
{
    public const string Name = "Auth0Delegation";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptions<WamsGatewayOptions> _options;
    private readonly TimeProvider _time;

    public Auth0DelegationExchange(IHttpClientFactory httpClientFactory, IOptions<WamsGatewayOptions> options, TimeProvider time)
    {
        _httpClientFactory = httpClientFactory;
        _options = options;
        _time = time;
    }

    /// <summary>Auth0's delegation issues a token for the target client: its audience is <c>Target</c>.</summary>
    public override IEnumerable<string> CredentialAudiences(Auth0DelegationOptions options) => options.Target is { } target ? [target] : [];

    public override void Validate(Auth0DelegationOptions options, ExchangeValidationContext context)
    {
        base.Validate(options, context);
        if (string.IsNullOrWhiteSpace(options.Target))
        {
            context.Problem("Target", "required for Auth0Delegation; the client id of the application whose add-on issues the token.");
        }

        var apiType = options.ApiType ?? "app";
        if (Auth0ApiTypes.NotYetSupported.Contains(apiType))
        {
            context.Problem("ApiType", $"'{apiType}' answers with something other than an id_token, which this build cannot inject yet; supported: {string.Join(", ", Auth0ApiTypes.IdTokenShaped)}.");
        }
        else if (!Auth0ApiTypes.IdTokenShaped.Contains(apiType))
        {
            context.Problem("ApiType", $"'{apiType}' is not an Auth0 delegation api_type; use one of {string.Join(", ", Auth0ApiTypes.IdTokenShaped)}.");
        }

        context.RequireHttpsUrl("Endpoint", options.Endpoint);
    }

    public override async Task<DelegatedCredential> ExchangeAsync(ExchangeRequest<Auth0DelegationOptions> request, CancellationToken cancellationToken)
    {
        var options = _options.Value;
        var api = request.Options;
        var response = await Auth0DelegationCall.SendAsync(_httpClientFactory.CreateClient(DelegationExtensions.HttpClientName), request,
            new Auth0DelegationCall.Target(api.Endpoint, api.ClientId, api.Target!, api.Scope), request.Authority ?? options.Authentication.Authority!, api.ApiType ?? "app", [], cancellationToken);
        return ProviderAnswers.Read(response, "id_token", _time, options.Delegation.DefaultRetryAfter);
    }
}
