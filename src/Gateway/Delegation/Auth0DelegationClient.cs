using Microsoft.Extensions.Options;
using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

/// <summary>
/// Auth0's legacy <c>/delegation</c> endpoint (docs/protocols.md, "Auth0 legacy delegation"): the call each client app
/// used to make itself with <c>GetDelegationToken</c>. The caller's token goes as <c>id_token</c>.
/// </summary>
internal sealed class Auth0DelegationClient : IDelegationClient
{
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
        var response = await Auth0DelegationCall.SendAsync(_httpClientFactory.CreateClient(DelegationExtensions.HttpClientName), request,
            _authentication.Authority!, request.Options.ApiType ?? "app", [], cancellationToken);
        return ProviderAnswers.Read(response, "id_token", _time, _settings.DefaultRetryAfter);
    }
}
