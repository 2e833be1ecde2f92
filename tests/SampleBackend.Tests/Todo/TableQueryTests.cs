using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SampleBackend.Tests.Zumo;
using SampleBackend.Todo;
using WamsGateway.TestSupport;

namespace SampleBackend.Tests.Todo;

/// <summary>
/// The query options the Mobile Services SDK sends for the tutorial's LINQ queries, over a real
/// socket: they narrow the caller's rows and never reach another user's; anything else is 400.
/// </summary>
public sealed class TableQueryTests : IAsyncLifetime
{
    private RunningApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await RunningApp.StartAsync(SampleBackendApp.Build,
            [$"--SampleBackend:MasterKey={ZumoTokens.MasterKey}", $"--SampleBackend:Database={Path.Combine(TempDirectory.Create("query"), "todo.db")}"]);
        foreach (var (text, complete) in new[] { ("buy milk", false), ("walk dog", true), ("it's done", true), ("call mum", false) })
        {
            await InsertAsync("auth0|alice", text, complete);
        }

        await InsertAsync("auth0|bob", "bob's secret", false);
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Theory]
    [InlineData("$filter=(complete eq false)", new[] { "buy milk", "call mum" })]
    [InlineData("$filter=(complete ne false)", new[] { "walk dog", "it's done" })]
    [InlineData("$filter=((complete eq true) and (text ne 'walk dog'))", new[] { "it's done" })]
    [InlineData("$filter=(text eq 'buy milk') or (text eq 'it''s done')", new[] { "buy milk", "it's done" })]
    [InlineData("$filter=not (complete eq true)", new[] { "buy milk", "call mum" })]
    [InlineData("$filter=(userId eq 'auth0|bob')", new string[0])]
    [InlineData("$filter=(text eq 'bob''s secret')", new string[0])]
    [InlineData("$filter=(complete eq false)&$orderby=text desc", new[] { "call mum", "buy milk" })]
    [InlineData("$orderby=complete,text", new[] { "buy milk", "call mum", "it's done", "walk dog" })]
    [InlineData("$orderby=text&$skip=1&$top=2", new[] { "call mum", "it's done" })]
    public async Task Query_NarrowsTheCallersRows(string query, string[] expected)
    {
        var rows = await ListAsync("auth0|alice", query);

        Assert.Equal(expected, rows.Select(r => r.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Select_ReturnsOnlyTheNamedColumns()
    {
        var row = (await ListAsync("auth0|alice", "$filter=(text eq 'walk dog')&$select=text,complete")).Single();

        Assert.Equal(["text", "complete"], row.EnumerateObject().Select(p => p.Name));
        Assert.True(row.GetProperty("complete").GetBoolean());
    }

    [Fact]
    public async Task InlineCount_AnswersResultsAndTheCountBeforePaging()
    {
        using var response = await SendAsync("auth0|alice", "$filter=(complete eq false)&$top=1&$inlinecount=allpages");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, body.GetProperty("count").GetInt32());
        Assert.Single(body.GetProperty("results").EnumerateArray());
    }

    [Theory]
    [InlineData("$filter=substringof('milk',text)")]
    [InlineData("$filter=(text gt 'a')")]
    [InlineData("$filter=(complete eq false")]
    [InlineData("$filter=(secret eq 'x')")]
    [InlineData("$filter=(text eq 'unclosed)")]
    [InlineData("$filter=(complete eq false) xor (complete eq true)")]
    [InlineData("$filter=(createdAt eq datetime'2026-01-01T00:00:00Z')")]
    [InlineData("$orderby=text sideways")]
    [InlineData("$orderby=password")]
    [InlineData("$select=text,userPassword")]
    [InlineData("$top=-1")]
    [InlineData("$top=100000")]
    [InlineData("$skip=abc")]
    [InlineData("$inlinecount=some")]
    [InlineData("$expand=owner")]
    [InlineData("$top=1&$top=2")]
    public async Task UnsupportedQuery_Is400WithAJsonError(string query)
    {
        using var response = await SendAsync("auth0|alice", query);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_request", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task DeeplyNestedFilter_Is400_NotACrash()
    {
        var deep = new string('(', 200) + "complete eq true" + new string(')', 200);
        using var response = await SendAsync("auth0|alice", "$filter=" + Uri.EscapeDataString(deep));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public void ALongChainOfTerms_IsEvaluatedWithoutNesting()
    {
        // Longer than any request line Kestrel accepts: the parser itself must not recurse per term.
        var chain = string.Join(" or ", Enumerable.Repeat("(text eq 'x')", 100_000)) + " or (text eq 'walk dog')";
        var query = TableQuery.Parse(new Microsoft.AspNetCore.Http.QueryCollection(
            new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["$filter"] = chain }));
        var now = DateTimeOffset.UtcNow;

        var result = query.Apply([new TodoItem("1", "walk dog", true, "auth0|alice", now, now), new TodoItem("2", "buy milk", false, "auth0|alice", now, now)]);

        Assert.Equal("walk dog", Assert.Single(result.AsArray())!["text"]!.GetValue<string>());
    }

    private async Task InsertAsync(string uid, string text, bool complete)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tables/todoitem") { Content = JsonContent.Create(new { text, complete }) };
        request.Headers.Add("X-ZUMO-AUTH", ZumoTokens.Mint(ZumoTokens.Claims(uid, DateTimeOffset.UtcNow)));
        using var response = await _app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(string uid, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tables/todoitem?" + query.Replace(" ", "%20", StringComparison.Ordinal));
        request.Headers.Add("X-ZUMO-AUTH", ZumoTokens.Mint(ZumoTokens.Claims(uid, DateTimeOffset.UtcNow)));
        return await _app.Client.SendAsync(request);
    }

    private async Task<JsonElement[]> ListAsync(string uid, string query)
    {
        using var response = await SendAsync(uid, query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }
}
