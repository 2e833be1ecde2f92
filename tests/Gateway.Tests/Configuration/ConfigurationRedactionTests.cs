using Microsoft.Extensions.Configuration;
using WamsGateway.Configuration;

namespace WamsGateway.Tests.Configuration;

/// <summary>What a refused reload's problems show of configured values: names, never other values, URLs without credentials.</summary>
public sealed class ConfigurationRedactionTests
{
    private static readonly IConfiguration Config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Gateway:Apis:orders:Exchange"] = "TokenExchange",
        ["Gateway:Apis:orders:TokenEndpoint"] = "sk_live_9f8e7d",
        ["Gateway:Apis:orders:Audience"] = "it's-a-secret",
        ["Gateway:Apis:orders:RateLimit"] = "per-user",
        ["Gateway:Apis:orders:Resource"] = "-----BEGIN PRIVATE KEY-----\nMIIEvSEKRIT\n-----END PRIVATE KEY-----",
        ["Gateway:Apis:orders:Authorities:0"] = "partner",
        ["ReverseProxy:Routes:r1:Metadata:Api"] = "ordres",
        ["ReverseProxy:Clusters:c1:Destinations:d1:Address"] = "http://me:hunter2@10.0.0.1/?sig=abc",
    }).Build();

    [Theory]
    [InlineData("Gateway:Apis:orders:TokenEndpoint: 'sk_live_9f8e7d' must be an absolute https URL.", "Gateway:Apis:orders:TokenEndpoint: '***' must be an absolute https URL.")]
    [InlineData("Gateway:Apis:orders:TokenEndpoint: \"sk_live_9f8e7d\" is wrong.", "Gateway:Apis:orders:TokenEndpoint: \"***\" is wrong.")]
    [InlineData("Audience 'it's-a-secret' is not a URI.", "Audience '***' is not a URI.")]
    [InlineData("ReverseProxy:Routes:r1:Metadata:Api: API 'ordres' is not defined.", "ReverseProxy:Routes:r1:Metadata:Api: API 'ordres' is not defined.")]
    [InlineData("API 'orders' names rate limit 'per-user' and authority 'partner'.", "API 'orders' names rate limit 'per-user' and authority 'partner'.")]
    [InlineData("d1: 'http://me:hunter2@10.0.0.1/?sig=abc' is not reachable.", "d1: 'http://***@10.0.0.1/?***' is not reachable.")]
    [InlineData("Resource: '-----BEGIN PRIVATE KEY-----\nMIIEvSEKRIT\n-----END PRIVATE KEY-----' is not a URI.", "Resource: '***' is not a URI.")]
    [InlineData("'not-configured-text' stays: only configured values are masked.", "'not-configured-text' stays: only configured values are masked.")]
    public void Problems_MaskConfiguredValues_ButNotNames(string problem, string shown)
    {
        Assert.Equal(shown, Assert.Single(ConfigurationRedaction.Problems([problem], Config)));
    }
}
