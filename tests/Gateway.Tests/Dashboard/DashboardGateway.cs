using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Dashboard;

/// <summary>A gateway with a management listener, and APIs whose kinds hold secrets the dashboard must never show.</summary>
public static class DashboardGateway
{
    public const string ClientSecret = "te-client-secret-7f3a9c";
    public const string MasterKey = "wams-master-key-51b2e8";
    public const string AddressPassword = "address-password-93c1d7";
    public const string QuerySecret = "query-secret-4e0a2b";

    /// <param name="reloads">Whether the gateway watches its configuration file.</param>
    public static GatewayFixture Fixture(bool reloads = false) => new()
    {
        Customize = config =>
        {
            config["Gateway"]!["Management"] = new JsonObject { ["Urls"] = "http://127.0.0.1:0" };
            var apis = config["Gateway"]!["Apis"]!.AsObject();
            apis["exchanged"] = new JsonObject
            {
                ["Exchange"] = "TokenExchange", ["TokenEndpoint"] = "http://127.0.0.1:9/oauth/token", ["ClientId"] = "gateway",
                ["ClientSecret"] = ClientSecret, ["Audience"] = "https://orders.test", ["AllowedClients"] = new JsonArray("client-a"),
            };
            apis["minted"] = new JsonObject { ["Exchange"] = "WamsMint", ["MasterKey"] = MasterKey, ["RequiredScopes"] = new JsonArray("read:todo") };
            apis["delegated"] = new JsonObject
            {
                ["Exchange"] = "Auth0Delegation", ["Target"] = "other-app",
                ["Endpoint"] = $"http://user:{AddressPassword}@127.0.0.1:9/delegation?client_secret={QuerySecret}",
            };
            var routes = config["ReverseProxy"]!["Routes"]!.AsObject();
            routes["exchanged"] = GatewayConfig.Route("/exchanged/{**rest}", "exchanged");
            routes["minted"] = GatewayConfig.Route("/minted/{**rest}", "minted");
            config["ReverseProxy"]!["Clusters"]!["with-credentials"] = new JsonObject
            {
                ["Destinations"] = new JsonObject { ["d1"] = new JsonObject { ["Address"] = $"http://user:{AddressPassword}@127.0.0.1:9/" } },
            };
            routes["with-credentials"] = GatewayConfig.Route("/with-credentials/{**rest}", null, cluster: "with-credentials");
        },
        Args = reloads ? ["--hostBuilder:reloadConfigOnChange=true"] : [],
    };

    /// <summary>The management listener's address: the one of the gateway's two that is not the proxy's.</summary>
    public static Uri ManagementAddress(GatewayFixture fixture)
    {
        var addresses = fixture.Gateway.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        return new Uri(Assert.Single(addresses, a => new Uri(a).Port != fixture.Gateway.Address.Port).TrimEnd('/') + "/");
    }
}
