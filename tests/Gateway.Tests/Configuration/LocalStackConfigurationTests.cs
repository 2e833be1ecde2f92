using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Configuration;

/// <summary>The local stack's configuration holds the policies the walkthrough says it does.</summary>
public sealed class LocalStackConfigurationTests
{
    [Fact]
    public void EveryApiGivingTheWamsBackendAZumoToken_AllowsTheSameClients()
    {
        var path = ConfigurationValidationTests.RepositoryFile("deploy/local/gateway.json");
        using var app = GatewayApp.Build([
            $"--contentRoot={TempDirectory.Create("local-stack")}", "--hostBuilder:reloadConfigOnChange=false", $"--config={path}"]);
        var apis = app.Services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Apis;

        // /wams (Auth0 delegation) and /wams-minted (minted by the gateway) reach one backend as one
        // user: a client that one refuses must not get in through the other.
        var wams = apis.Where(a => a.Value.Exchange == "WamsMint"
                || (a.Value.Settings is WamsGateway.Exchanges.Auth0Delegation.Auth0DelegationOptions { ApiType: "wams" }))
            .ToDictionary(a => a.Key, a => (a.Value.AllowedClients ?? []).Order(StringComparer.Ordinal).ToArray());

        Assert.Contains("wams-todo", wams.Keys);
        Assert.Contains("wams-todo-minted", wams.Keys);
        var expected = wams["wams-todo"];
        Assert.NotEmpty(expected);
        Assert.All(wams, api => Assert.Equal(expected, api.Value));
    }

    [Fact]
    public void WithTwoTenants_EveryApiNamesTheTenantsItServes()
    {
        var path = ConfigurationValidationTests.RepositoryFile("deploy/local/gateway.json");
        using var app = GatewayApp.Build([
            $"--contentRoot={TempDirectory.Create("local-stack")}", "--hostBuilder:reloadConfigOnChange=false", $"--config={path}"]);
        var options = app.Services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value;

        // A sub is unique only within its tenant: no backend of the stack gets both tenants' users by default.
        Assert.NotEmpty(options.NamedAuthorities);
        Assert.All(options.Apis, api => Assert.NotNull(api.Value.Authorities));
        Assert.Equal(["eu"], options.Apis["wams-todo-eu"].Authorities);
    }
}
