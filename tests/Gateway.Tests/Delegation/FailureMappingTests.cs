using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Delegation;

/// <summary>The authority misbehaves in every way docs/http-behaviour.md names; each maps to its answer, nothing is proxied, nothing cached.</summary>
public sealed class FailureMappingTests : IClassFixture<NoBreakerDelegationFixture>, IAsyncLifetime
{
    private readonly NoBreakerDelegationFixture _f;

    public FailureMappingTests(NoBreakerDelegationFixture fixture)
    {
        _f = fixture;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _f.SetFailureModeAsync("None");

    [Theory]
    [InlineData("app-delegated", "Refuse", HttpStatusCode.Forbidden, "delegation_denied", "access_denied")]
    [InlineData("orders", "Refuse", HttpStatusCode.Forbidden, "delegation_denied", "access_denied")]
    [InlineData("app-delegated", "Unavailable", HttpStatusCode.ServiceUnavailable, "delegation_unavailable", null)]
    [InlineData("orders", "Unavailable", HttpStatusCode.ServiceUnavailable, "delegation_unavailable", null)]
    [InlineData("app-delegated", "ServerError", HttpStatusCode.ServiceUnavailable, "delegation_unavailable", null)]
    [InlineData("app-delegated", "RateLimited", HttpStatusCode.ServiceUnavailable, "delegation_unavailable", null)]
    [InlineData("app-delegated", "Slow", HttpStatusCode.ServiceUnavailable, "delegation_unavailable", null)]
    [InlineData("app-delegated", "Garbage", HttpStatusCode.BadGateway, "delegation_invalid_response", null)]
    [InlineData("orders", "Garbage", HttpStatusCode.BadGateway, "delegation_invalid_response", null)]
    public async Task AuthorityFailure_MapsToContractAnswer(string api, string mode, HttpStatusCode expected, string type, string? providerError)
    {
        var token = await TokenForAsync(api);
        var before = _f.Recorder.Requests.Count;
        await _f.SetFailureModeAsync(mode);

        using var response = await _f.SendAsync(HttpMethod.Get, $"/{api}/x", token);

        Assert.Equal(expected, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, type);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
        if (providerError is not null)
        {
            Assert.Equal(providerError, JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        }

        if (expected == HttpStatusCode.ServiceUnavailable)
        {
            Assert.NotNull(response.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(before, _f.Recorder.Requests.Count);
    }

    [Fact]
    public async Task Unavailable_RetryAfterIsTheAuthoritys()
    {
        var (_, idToken) = await _f.SignInAsync();
        await _f.SetFailureModeAsync("Unavailable");

        using var response = await _f.SendAsync(HttpMethod.Get, "/app-delegated/x", idToken);

        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task RateLimited_RetryAfterComesFromRateLimitReset()
    {
        var (_, idToken) = await _f.SignInAsync();
        await _f.SetFailureModeAsync("RateLimited");

        using var response = await _f.SendAsync(HttpMethod.Get, "/app-delegated/x", idToken);

        Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(31));
    }

    [Fact]
    public async Task AuthorityUnreachable_Is503()
    {
        var (_, idToken) = await _f.SignInAsync();

        using var response = await _f.SendAsync(HttpMethod.Get, "/dead-endpoint/x", idToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await ProblemAssert.IsProblemAsync(response, "delegation_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    /// <summary>Only a failure that may pass is tried again: never a refusal, never when the provider said when to come back.</summary>
    [Theory]
    [InlineData("Refuse", HttpStatusCode.Forbidden, 1)]
    [InlineData("Unavailable", HttpStatusCode.ServiceUnavailable, 1)]
    [InlineData("ServerError", HttpStatusCode.ServiceUnavailable, 2)]
    public async Task Retry_OnlyForTransientFailuresWithoutRetryAfter(string mode, HttpStatusCode expected, int calls)
    {
        var (_, idToken) = await _f.SignInAsync();
        await _f.SetFailureModeAsync(mode);
        var before = await _f.DelegationsAsync();

        using var response = await _f.SendAsync(HttpMethod.Get, "/app-delegated/x", idToken);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(before + calls, await _f.DelegationsAsync());
    }

    [Fact]
    public async Task Failure_IsNotCached()
    {
        var (_, idToken) = await _f.SignInAsync();
        await _f.SetFailureModeAsync("Refuse");
        using (var refused = await _f.SendAsync(HttpMethod.Get, "/app-delegated/x", idToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        await _f.SetFailureModeAsync("None");
        using var served = await _f.SendAsync(HttpMethod.Get, "/app-delegated/x", idToken);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    private async Task<string> TokenForAsync(string api)
    {
        var (accessToken, idToken) = await _f.SignInAsync();
        return api.StartsWith("orders", StringComparison.Ordinal) ? accessToken : idToken;
    }
}
