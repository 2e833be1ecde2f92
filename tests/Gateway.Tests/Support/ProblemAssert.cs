using System.Text.Json;

namespace WamsGateway.Tests.Support;

/// <summary>The gateway's error answers: application/problem+json with its type, status, the request's path as instance, and a traceId.</summary>
public static class ProblemAssert
{
    public static async Task IsProblemAsync(HttpResponseMessage response, string type)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(type, body.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)response.StatusCode, body.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("traceId").GetString()));
        Assert.StartsWith("/", body.RootElement.GetProperty("instance").GetString(), StringComparison.Ordinal);
    }
}
