using System.Text.Json.Nodes;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Hosting;

/// <summary>The delegation fixture's authority, backends and configuration, with the gateway in <see cref="ForeignHost"/>.</summary>
public sealed class ForeignHostFixture : DelegationFixture
{
    public const string AssertionKey = "team-assertion-key-0123456789";

    public TeamAssertionExchange TeamKind => Gateway.Services.GetRequiredService<TeamAssertionExchange>();

    protected override WebApplication BuildGateway(string[] args, Action<IServiceCollection> configureServices) =>
        ForeignHost.Build(args, configureServices);

    protected override JsonObject Config()
    {
        var config = base.Config();
        config["Gateway"]!["Apis"]!["team-assertion"] = new JsonObject { ["Exchange"] = "TeamAssertion", ["Key"] = AssertionKey };
        config["ReverseProxy"]!["Routes"]!["team-assertion"] = GatewayConfig.Route("/team-assertion/{**rest}", "team-assertion");
        config["Gateway"]!["Apis"]!["catalog"] = new JsonObject { ["Exchange"] = "CatalogTenant", ["Tenant"] = "emea" };
        config["ReverseProxy"]!["Routes"]!["catalog"] = GatewayConfig.Route("/catalog/{**rest}", "catalog", anonymous: true);

        // The AWS suite fails its STS on purpose many times; the breaker would open as in any host.
        config["Gateway"]!["Delegation"]!["BreakerMinimumThroughput"] = 100_000;
        return config;
    }
}
