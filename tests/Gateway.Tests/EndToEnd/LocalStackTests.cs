using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalAuthority;
using SampleBackend;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.EndToEnd;

/// <summary>The real pieces together: the local authority signs alice in, the gateway validates, the sample backend answers.</summary>
public sealed class LocalStackTests : IAsyncLifetime
{
    private RunningApp _authority = null!;
    private RunningApp _backend = null!;
    private RunningApp _gateway = null!;

    public async Task InitializeAsync()
    {
        var state = TempDirectory.Create("local-stack");
        _authority = await RunningApp.StartAsync(LocalAuthorityApp.Build,
        [
            $"--LocalAuthority:KeyFile={Path.Combine(state, "keys.json")}",
            "--LocalAuthority:Clients:todo-mobile:Name=Todo",
            "--LocalAuthority:Users:alice:Password=pw",
            "--LocalAuthority:Users:alice:Subject=auth0|alice",
            "--LocalAuthority:Users:alice:Email=alice@example.com",
        ]);
        _backend = await RunningApp.StartAsync(SampleBackendApp.Build,
            ["--SampleBackend:MasterKey=master", $"--SampleBackend:Database={Path.Combine(state, "todo.db")}"]);

        var config = GatewayConfig.Default(_authority.Address.AbsoluteUri, _backend.Address);
        config["Gateway"]!["Authentication"]!["Audiences"] = new JsonArray("https://wams-todo.local");
        config["ReverseProxy"]!["Routes"]!["none"]!["Transforms"] = new JsonArray(new JsonObject { ["PathRemovePrefix"] = "/none" });
        _gateway = await RunningApp.StartAsync(args => GatewayApp.Build(args), [$"--config={GatewayConfig.Write(config)}"]);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task SignedInUser_ReachesBackendWithIdentityAndWithoutOwnToken()
    {
        using var response = await GetAsSignedInUserAsync("/none/api/whoami");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var headers = body.GetProperty("headers");
        Assert.Equal("auth0|alice", headers.GetProperty("X-User-Id")[0].GetString());
        Assert.Equal("alice@example.com", headers.GetProperty("X-User-Email")[0].GetString());
        Assert.Equal("todo-mobile", headers.GetProperty("X-Client-Id")[0].GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("credential").ValueKind);
    }

    [Fact]
    public async Task BackendsOwnRefusal_PassesThroughUntouched()
    {
        using var response = await GetAsSignedInUserAsync("/none/tables/todoitem");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("missing_token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    private async Task<HttpResponseMessage> GetAsSignedInUserAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await SignInAsync());
        return await _gateway.Client.SendAsync(request);
    }

    private async Task<string> SignInAsync()
    {
        using var response = await _authority.Client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "todo-mobile", ["username"] = "alice", ["password"] = "pw",
            ["audience"] = "https://wams-todo.local", ["scope"] = "openid",
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }
}
