using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Caching;

/// <summary>The cache records hit, miss and error per API, with no token, user or client in any label.</summary>
public sealed class DelegationMetricsTests : IClassFixture<DelegationFixture>
{
    private readonly DelegationFixture _f;

    public DelegationMetricsTests(DelegationFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task Outcomes_AreCountedPerApi()
    {
        var meterFactory = _f.Gateway.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<(string Api, string Outcome, string Labels)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meterFactory && instrument.Name == "wamsgateway.delegation.requests")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var labels = tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString() ?? string.Empty);
            measurements.Enqueue((labels["api"], labels["outcome"], string.Join(",", labels.Select(t => $"{t.Key}={t.Value}"))));
        });
        listener.Start();

        var (_, idToken) = await _f.SignInAsync();
        foreach (var api in new[] { "app-delegated", "app-delegated", "dead-endpoint" })
        {
            using var response = await _f.SendAsync(HttpMethod.Get, $"/{api}/metrics-test", idToken);
            Assert.Equal(api == "dead-endpoint" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(
            [("app-delegated", "miss"), ("app-delegated", "hit"), ("dead-endpoint", "error")],
            measurements.Select(m => (m.Api, m.Outcome)));
        Assert.All(measurements, m => Assert.Equal(2, m.Labels.Split(',').Length));
        Assert.DoesNotContain(measurements, m => m.Labels.Contains(idToken, StringComparison.Ordinal) || m.Labels.Contains("alice", StringComparison.Ordinal));
    }
}
