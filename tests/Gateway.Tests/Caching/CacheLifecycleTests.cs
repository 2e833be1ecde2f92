using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Caching.Memory;
using WamsGateway.Caching;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// Eager refresh renews an entry still in use before it expires. FusionCache keeps its own
/// clock for this, so the test runs on real time, with short token lives and wide margins.
/// </summary>
public sealed class EagerRefreshTests : IAsyncLifetime
{
    private static readonly TimeSpan Life = TimeSpan.FromSeconds(10);

    private readonly DelegationFixture _f = new()
    {
        TokenLifetime = Life,
        Customize = config => config["Gateway"]!["Cache"] = new JsonObject { ["SafetyMargin"] = "00:00:00", ["EagerRefreshThreshold"] = 0.6 },
    };

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task EntryInUse_IsRenewedInTheBackgroundBeforeItExpires()
    {
        var (_, idToken) = await _f.SignInAsync();
        var before = await _f.DelegationsAsync();
        var clock = Stopwatch.StartNew();
        var first = await CredentialAsync(idToken);

        // Keep using it; at 60 % of its life the next use starts a background exchange.
        await Eventually.ReturnsAsync(
            async () =>
            {
                await CredentialAsync(idToken);
                return await _f.DelegationsAsync();
            },
            count => count == before + 2,
            Life);
        var renewedAt = clock.Elapsed;
        var renewed = await Eventually.ReturnsAsync(() => CredentialAsync(idToken), c => c != first, TimeSpan.FromSeconds(2));

        Assert.True(renewedAt < Life, $"renewed after {renewedAt}, when the entry had already expired");
        Assert.NotEqual(first, renewed);
    }

    private async Task<string> CredentialAsync(string token)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var response = await _f.SendAsync(HttpMethod.Get, $"/app-delegated/x?m={marker}", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(Assert.Single(_f.Recorder.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal)).Header("Authorization"));
    }
}

/// <summary>The in-process level is bounded by Gateway:Cache:MaxEntries.</summary>
public sealed class MemoryBoundTests : IAsyncLifetime
{
    private readonly DelegationFixture _f = new()
    {
        Customize = config => config["Gateway"]!["Cache"] = new JsonObject { ["MaxEntries"] = 100 },
    };

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task ManyCallers_NeverHoldMoreThanMaxEntries()
    {
        for (var i = 0; i < 150; i++)
        {
            var (_, idToken) = await _f.SignInAsync(i % 2 == 0 ? "alice" : "bob");
            using var response = await _f.SendAsync(HttpMethod.Get, "/wams-minted/api/whoami", idToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var memory = (MemoryCache)_f.Gateway.Services.GetRequiredKeyedService<IMemoryCache>(CachingExtensions.MemoryCacheKey);
        Assert.InRange(memory.Count, 1, 100);
    }
}
