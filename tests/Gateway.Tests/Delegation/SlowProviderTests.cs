using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Delegation;

/// <summary>
/// A provider that hangs never turns into a queue: requests for one key share one exchange and its
/// outcome, an unavailable provider is remembered for a moment, and no request waits longer than the
/// exchange budget (Timeout × 2 attempts), on one replica or across the fleet.
/// </summary>
[Collection(DeadlineTestGroup.Name)]
public sealed class SlowProviderTests : IAsyncLifetime
{
    // The fixture's Delegation:Timeout is one second: the budget is two attempts of it.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    private StalledProvider _provider = null!;
    private DelegationFixture _f = null!;

    public async Task InitializeAsync()
    {
        _provider = await StalledProvider.StartAsync();
        _f = new DelegationFixture { Customize = AddStalledApi };
        await _f.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _f.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task HungProvider_TwentyConcurrentRequests_AllAnswered503WithinTheBudget_ProviderAskedAtMostTwice()
    {
        var (_, idToken) = await _f.SignInAsync();
        await WarmUpAsync(_f.Gateway, idToken, (await _f.SignInAsync("bob")).IdToken);
        var warmUpCalls = _provider.Calls;

        var started = Stopwatch.GetTimestamp();
        var answers = await SendConcurrentlyAsync(Enumerable.Repeat(_f.Gateway, 20), idToken);

        var calls = string.Join(", ", _provider.CallTimes.Skip(warmUpCalls).Select(t => Stopwatch.GetElapsedTime(started, t).TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " ms"));
        Assert.All(answers, a =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status);
            Assert.Equal("delegation_unavailable", a.ProblemType);
            Assert.True(a.Elapsed < Budget + TimeSpan.FromSeconds(1), $"answered after {a.Elapsed}; the provider was called at {calls}");
        });
        Assert.InRange(_provider.Calls - warmUpCalls, 1, 2);
    }

    [Fact]
    public async Task UnavailableIsRemembered_NextRequestAnsweredAtOnce_ThenAskedAgainLater()
    {
        var (_, idToken) = await _f.SignInAsync();
        using (var first = await _f.SendAsync(HttpMethod.Get, "/stalled/x", idToken))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        }

        var calls = _provider.Calls;
        var started = Stopwatch.GetTimestamp();
        using (var second = await _f.SendAsync(HttpMethod.Get, "/stalled/x", idToken))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
            Assert.InRange(int.Parse(second.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 5);
        }

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1), "a remembered outcome is answered without waiting");
        Assert.Equal(calls, _provider.Calls);

        // Remembered for a moment only: a later request asks the provider again.
        await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await _f.SendAsync(HttpMethod.Get, "/stalled/x", idToken);
                return _provider.Calls;
            },
            c => c > calls,
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task HungProvider_AcrossTwoReplicas_EveryAnswerWithinTheBudget()
    {
        await using var redis = await RedisServer.StartAsync();
        var fleet = new DelegationFixture
        {
            Customize = config =>
            {
                AddStalledApi(config);
                config["Gateway"]!["Redis"] = new JsonObject
                {
                    ["Configuration"] = redis.Configuration, ["KeyPrefix"] = "slow:", ["KeyRingKey"] = FleetFixture.KeyRingKey,
                };
            },
        };
        await fleet.InitializeAsync();
        try
        {
            await using var second = await fleet.StartGatewayAsync();
            var (_, idToken) = await fleet.SignInAsync();
            await WarmUpAsync(fleet.Gateway, idToken, (await fleet.SignInAsync("bob")).IdToken);
            await WarmUpAsync(second, idToken, (await fleet.SignInAsync("bob")).IdToken);
            var warmUpCalls = _provider.Calls;

            var started = Stopwatch.GetTimestamp();
            var answers = await SendConcurrentlyAsync(Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? fleet.Gateway : second), idToken);

            var calls = string.Join(", ", _provider.CallTimes.Skip(warmUpCalls).Select(t => Stopwatch.GetElapsedTime(started, t).TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " ms"));
            Assert.All(answers, a =>
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status);
                Assert.True(a.Elapsed < Budget + TimeSpan.FromSeconds(1), $"answered after {a.Elapsed}; the provider was called at {calls}");
            });

            // At most one exchange's attempts per replica: the replica behind the lock usually finds the
            // other's remembered outcome in Redis, but FusionCache writes Redis after releasing its locks,
            // so it may ask once more itself.
            Assert.InRange(_provider.Calls - warmUpCalls, 1, 4);
        }
        finally
        {
            await fleet.DisposeAsync();
        }
    }

    private void AddStalledApi(JsonObject config) => AddStalledApi(config, _provider);

    /// <summary>API <c>stalled</c> (Auth0 delegation at the stalled provider), routed at <c>/stalled/</c>.</summary>
    internal static void AddStalledApi(JsonObject config, StalledProvider provider)
    {
        config["Gateway"]!["Apis"]!["stalled"] = new JsonObject
        {
            ["Exchange"] = "Auth0Delegation", ["Target"] = "other-app", ["Endpoint"] = provider.Address.AbsoluteUri + "delegation",
        };
        config["ReverseProxy"]!["Routes"]!["stalled"] = GatewayConfig.Route("/stalled/{**rest}", "stalled");
    }

    /// <summary>
    /// First requests on the routes the test uses, so the timings below measure waiting for the
    /// provider, not a cold start (the first validation of a token, the first outbound exchange call).
    /// The exchange uses another token: it costs the provider its own calls, not the test's key's.
    /// </summary>
    internal static async Task WarmUpAsync(RunningApp gateway, string token, string? otherToken = null)
    {
        using (var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, "/scoped/x", token))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        if (otherToken is not null)
        {
            using var exchange = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, "/stalled/x", otherToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, exchange.StatusCode);
        }
    }

    internal static async Task<Answer[]> SendConcurrentlyAsync(IEnumerable<RunningApp> gateways, string token)
    {
        var started = Stopwatch.GetTimestamp();
        return await Task.WhenAll(gateways.Select(async gateway =>
        {
            using var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, "/stalled/x", token);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var problem = await response.Content.ReadAsStringAsync();
            var type = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? JsonNode.Parse(problem)?["type"]?.GetValue<string>()
                : null;
            return new Answer(response.StatusCode, type, elapsed);
        }));
    }

    internal sealed record Answer(HttpStatusCode Status, string? ProblemType, TimeSpan Elapsed);
}

/// <summary>Requests waiting for one exchange share its outcome, a refusal included: the provider is asked once.</summary>
[Collection(DeadlineTestGroup.Name)]
public sealed class SharedOutcomeTests : IAsyncLifetime
{
    private StalledProvider _provider = null!;
    private DelegationFixture _f = null!;

    public async Task InitializeAsync()
    {
        _provider = await StalledProvider.StartAsync();
        _f = new DelegationFixture
        {
            Customize = config =>
            {
                SlowProviderTests.AddStalledApi(config, _provider);
                // Long enough that the provider answers (when the test releases it) before any attempt times out.
                config["Gateway"]!["Delegation"]!["Timeout"] = "00:00:30";
            },
        };
        await _f.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _f.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task TwentyRequestsWaitingForOneExchange_ShareItsRefusal_ProviderAskedOnce()
    {
        var (_, idToken) = await _f.SignInAsync();
        using var waiting = new CacheLookups();

        var sending = SlowProviderTests.SendConcurrentlyAsync(Enumerable.Repeat(_f.Gateway, 20), idToken);
        // Every request is waiting in the gateway's cache and the one exchange has reached the provider.
        await Eventually.ReturnsAsync(() => Task.FromResult((waiting.Count, _provider.Calls)), s => s.Count >= 20 && s.Calls >= 1);
        Assert.Equal(1, _provider.Calls);
        _provider.Release(403, """{"error":"access_denied","error_description":"no"}""");
        var answers = await sending;

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Forbidden, a.Status));
        Assert.All(answers, a => Assert.Equal("delegation_denied", a.ProblemType));
        Assert.Equal(1, _provider.Calls);
    }

    /// <summary>
    /// FusionCache's <c>fusioncache.cache.get_or_set</c> counter: it counts a lookup as it starts, before
    /// any lock, so a count of N means N requests are waiting. Its tags do not tell gateways apart, so the
    /// class runs alone (<see cref="DeadlineTestGroup"/>): every lookup counted is this test's gateway's.
    /// </summary>
    private sealed class CacheLookups : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public CacheLookups()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "fusioncache.cache.get_or_set")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
