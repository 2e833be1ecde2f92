using WamsGateway.Delegation;

namespace WamsGateway.Exchanges.AwsSts;

/// <summary>
/// Hands the AWS SDK the gateway's own delegation client, so calls to STS go through the same
/// resilience pipeline as every other exchange: per-attempt timeout, one retry of a transient
/// failure, the exchange budget, and a circuit breaker per STS host.
/// </summary>
internal sealed class StsHttpClientFactory : Amazon.Runtime.HttpClientFactory
{
    private readonly IHttpClientFactory _httpClientFactory;

    public StsHttpClientFactory(IHttpClientFactory httpClientFactory)
    {
        _httpClientFactory = httpClientFactory;
    }

    public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) =>
        _httpClientFactory.CreateClient(DelegationExtensions.HttpClientName);

    // IHttpClientFactory pools the handlers; the HttpClient itself is cheap, and disposing it is safe.
    public override bool UseSDKHttpClientCaching(Amazon.Runtime.IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(Amazon.Runtime.IClientConfig clientConfig) => true;
}
