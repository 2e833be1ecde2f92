using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SampleBackend.Tests.Zumo;
using WamsGateway.TestSupport;

namespace SampleBackend.Tests.Todo;

/// <summary>The tutorial's table over a real socket: per-user rows, userId from the token, SQLite that survives a restart.</summary>
public sealed class TodoTableTests : IAsyncLifetime
{
    private readonly string _database = Path.Combine(TempDirectory.Create("todo"), "data", "todo.db");
    private RunningApp _app = null!;

    public async Task InitializeAsync() => _app = await StartAsync();

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Post_StampsCallersUserIdIgnoringBody()
    {
        using var response = await SendAsync(HttpMethod.Post, "/tables/todoitem", "auth0|alice", new { text = "buy milk", complete = false, userId = "auth0|mallory", id = "chosen" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var row = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("auth0|alice", row.GetProperty("userId").GetString());
        Assert.Equal("buy milk", row.GetProperty("text").GetString());
        Assert.False(row.GetProperty("complete").GetBoolean());
        Assert.NotEqual("chosen", row.GetProperty("id").GetString());
        Assert.Equal($"/tables/todoitem/{row.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Get_ListsOnlyCallersRows()
    {
        await InsertAsync("auth0|alice", "alice 1");
        await InsertAsync("auth0|bob", "bob 1");
        await InsertAsync("auth0|alice", "alice 2");

        var alice = await ListAsync("auth0|alice");
        var bob = await ListAsync("auth0|bob");

        Assert.Equal(["alice 1", "alice 2"], alice.Select(r => r.GetProperty("text").GetString()));
        Assert.All(alice, r => Assert.Equal("auth0|alice", r.GetProperty("userId").GetString()));
        Assert.Equal(["bob 1"], bob.Select(r => r.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task PatchAndDelete_OtherUsersRow_Are404AndChangeNothing()
    {
        var id = await InsertAsync("auth0|alice", "private");

        using var patch = await SendAsync(HttpMethod.Patch, $"/tables/todoitem/{id}", "auth0|bob", new { text = "hijacked", complete = true });
        using var delete = await SendAsync(HttpMethod.Delete, $"/tables/todoitem/{id}", "auth0|bob");
        using var get = await SendAsync(HttpMethod.Get, $"/tables/todoitem/{id}", "auth0|bob");

        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        var row = Assert.Single(await ListAsync("auth0|alice"));
        Assert.Equal("private", row.GetProperty("text").GetString());
        Assert.False(row.GetProperty("complete").GetBoolean());
    }

    [Fact]
    public async Task PatchAndDelete_OwnRow_Work()
    {
        var id = await InsertAsync("auth0|alice", "write tests");

        using var patch = await SendAsync(HttpMethod.Patch, $"/tables/todoitem/{id}", "auth0|alice", new { complete = true });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var row = await patch.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(row.GetProperty("complete").GetBoolean());
        Assert.Equal("write tests", row.GetProperty("text").GetString());

        using var delete = await SendAsync(HttpMethod.Delete, $"/tables/todoitem/{id}", "auth0|alice");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Empty(await ListAsync("auth0|alice"));

        using var unknown = await SendAsync(HttpMethod.Delete, "/tables/todoitem/does-not-exist", "auth0|alice");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("wrong-key")]
    public async Task Requests_WithoutValidZumo_Are401AndNothingIsWritten(string? kind)
    {
        var token = kind switch
        {
            null => null,
            "wrong-key" => ZumoTokens.Mint(ZumoTokens.Claims("auth0|alice", DateTimeOffset.UtcNow), "not-the-master-key"),
            _ => kind,
        };

        using var post = await SendRawAsync(HttpMethod.Post, "/tables/todoitem", token, new { text = "sneaky" });
        using var list = await SendRawAsync(HttpMethod.Get, "/tables/todoitem", token);

        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        var body = await post.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
        Assert.Empty(await ListAsync("auth0|alice"));
    }

    [Theory]
    [InlineData("{\"complete\": true}")]
    [InlineData("{\"text\": 42}")]
    [InlineData("[1,2]")]
    [InlineData("not json")]
    public async Task Post_BadBody_Is400(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tables/todoitem") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-ZUMO-AUTH", Token("auth0|alice"));

        using var response = await _app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await ListAsync("auth0|alice"));
    }

    [Fact]
    public async Task Rows_SurviveARestart()
    {
        await InsertAsync("auth0|alice", "durable");
        await _app.DisposeAsync();

        _app = await StartAsync();

        var row = Assert.Single(await ListAsync("auth0|alice"));
        Assert.Equal("durable", row.GetProperty("text").GetString());
    }

    [Fact]
    public async Task WhoAmI_EchoesHeadersAndDescribesTheCredential()
    {
        var token = Token("auth0|alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        request.Headers.Add("X-ZUMO-AUTH", token);
        request.Headers.Add("X-User-Id", "auth0|alice");

        using var response = await _app.Client.SendAsync(request);

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("auth0|alice", body.GetProperty("headers").GetProperty("X-User-Id")[0].GetString());
        var credential = body.GetProperty("credential");
        Assert.Equal("X-ZUMO-AUTH", credential.GetProperty("header").GetString());
        Assert.Equal(SampleBackend.Diagnostics.CredentialFingerprint.Of(token), credential.GetProperty("fingerprint").GetString());
        Assert.Equal("auth0|alice", credential.GetProperty("claims").GetProperty("uid").GetString());
    }

    [Fact]
    public async Task Start_WithoutMasterKey_Fails()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => RunningApp.StartAsync(SampleBackendApp.Build, [$"--SampleBackend:Database={_database}"]));

        Assert.Contains("SampleBackend:MasterKey is required", ex.Message, StringComparison.Ordinal);
    }

    private Task<RunningApp> StartAsync() =>
        RunningApp.StartAsync(SampleBackendApp.Build, [$"--SampleBackend:MasterKey={ZumoTokens.MasterKey}", $"--SampleBackend:Database={_database}"]);

    private static string Token(string uid) => ZumoTokens.Mint(ZumoTokens.Claims(uid, DateTimeOffset.UtcNow));

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string uid, object? body = null) => SendRawAsync(method, path, Token(uid), body);

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Add("X-ZUMO-AUTH", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await _app.Client.SendAsync(request);
    }

    private async Task<string> InsertAsync(string uid, string text)
    {
        using var response = await SendAsync(HttpMethod.Post, "/tables/todoitem", uid, new { text });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<JsonElement[]> ListAsync(string uid)
    {
        using var response = await SendAsync(HttpMethod.Get, "/tables/todoitem", uid);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }
}
