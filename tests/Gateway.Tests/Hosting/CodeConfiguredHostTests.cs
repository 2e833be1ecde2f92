using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using WamsGateway.Configuration;
using WamsGateway.Exchanges.TokenExchange;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Hosting;

/// <summary>
/// A host that configures the gateway in code (<c>AddWamsGateway(Action&lt;WamsGatewayOptions&gt;)</c>) and its routes in
/// memory: the same policies apply, and the same validation stops a start with every problem named.
/// </summary>
public sealed class CodeConfiguredHostTests : IAsyncLifetime
{
    private TestAuthority _authority = null!;
    private RecordingBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _authority = await TestAuthority.StartAsync();
        _backend = await RecordingBackend.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task OptionsSetInCode_AreTheGatewaysOptions_PoliciesAndIdentityHeadersApply()
    {
        await using var host = await RunningApp.StartAsync(args => Build(args, options =>
        {
            options.Apis["mine"] = new ApiOptions { Exchange = "None", AllowedClients = ["client-a"] };
            options.Apis["theirs"] = new ApiOptions { Exchange = "None", AllowedClients = ["client-b"] };
            options.Apis["exchanged"] = new ApiOptions { Exchange = "Passthrough" };
        }), []);
        var token = _authority.Tokens(GatewayConfig.Audience).Valid();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, "/mine/x", token));
        Assert.Equal(["auth0|alice"], _backend.Requests[^1].Header("X-User-Id"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(host, "/theirs/x", token));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(host, "/mine/x", null));
        Assert.Equal("None", host.Services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Apis["mine"].Exchange);
    }

    [Fact]
    public async Task InvalidOptionsSetInCode_StopTheStart_WithEveryProblemNamed()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningApp.StartAsync(args => Build(args, options =>
        {
            options.Apis["mine"] = new ApiOptions { Exchange = "Nope" };
            options.Apis["theirs"] = new ApiOptions { Exchange = "TokenExchange", Settings = new Exchanges.NoOptions() };
            options.Apis["exchanged"] = new ApiOptions { Exchange = "TokenExchange", Settings = new TokenExchangeOptions { ClientId = "gateway" } };
            options.Cache.MaxEntries = 1;
        }), []));

        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Apis:mine:Exchange: 'Nope' is not one of", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Apis:theirs:Settings: a TokenExchange API's settings are a TokenExchangeOptions", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Apis:exchanged:", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Cache:MaxEntries:", StringComparison.Ordinal));
    }

    private WebApplication Build(string[] args, Action<WamsGatewayOptions> configureApis)
    {
        var builder = WebApplication.CreateBuilder(args);
        var routes = new[] { "mine", "theirs", "exchanged" }
            .Select(api => new RouteConfig
            {
                RouteId = api,
                ClusterId = "backend",
                Match = new RouteMatch { Path = $"/{api}/{{**rest}}" },
                Metadata = new Dictionary<string, string> { ["Api"] = api },
            })
            .ToList();
        var clusters = new[]
        {
            new ClusterConfig
            {
                ClusterId = "backend",
                Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = _backend.Address.AbsoluteUri } },
            },
        };
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters).AddWamsGateway(options =>
        {
            options.Authentication.Authority = _authority.Issuer;
            options.Authentication.Audiences = [GatewayConfig.Audience];
            options.Authentication.RequireHttpsMetadata = false;
            options.Shutdown.DrainDelay = TimeSpan.Zero;
            configureApis(options);
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapReverseProxy(proxy => proxy.UseWamsGateway());
        return app;
    }

    private static async Task<HttpStatusCode> StatusAsync(RunningApp host, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await host.Client.SendAsync(request);
        return response.StatusCode;
    }
}
