using System.Net;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Health;

/// <summary>GET /metrics: the Prometheus exposition with the names docs/http-behaviour.md lists, and nothing secret in it.</summary>
/// <remarks>
/// Alone: OpenTelemetry listens to every meter named WamsGateway in the process, and a gateway another test
/// class stops meanwhile ends the instruments this gateway's series share.
/// </remarks>
[Collection(DeadlineTestGroup.Name)]
public sealed class MetricsEndpointTests : IClassFixture<DelegationFixture>
{
    private readonly DelegationFixture _f;

    public MetricsEndpointTests(DelegationFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task Metrics_ExposeDelegationOutcomesDurationsAndAuthFailures()
    {
        var (_, idToken) = await _f.SignInAsync();
        foreach (var path in new[] { "/app-delegated/m", "/app-delegated/m", "/dead-endpoint/m" })
        {
            using var response = await _f.SendAsync(HttpMethod.Get, path, idToken);
        }

        using (var bad = await _f.SendAsync(HttpMethod.Get, "/app-delegated/m", idToken[..^3] + "abc"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }

        var lines = await WamsGateway.TestSupport.Eventually.ReturnsAsync(
            async () => (await _f.Gateway.Client.GetStringAsync("/metrics")).Split('\n'),
            l => l.Any(x => x.StartsWith("wamsgateway_auth_failures_total{", StringComparison.Ordinal)));

        Assert.Contains(lines, l => Is(l, "wamsgateway_delegation_requests_total{", "api=\"app-delegated\"", "outcome=\"miss\""));
        Assert.Contains(lines, l => Is(l, "wamsgateway_delegation_requests_total{", "api=\"app-delegated\"", "outcome=\"hit\""));
        Assert.Contains(lines, l => Is(l, "wamsgateway_delegation_requests_total{", "api=\"dead-endpoint\"", "outcome=\"error\""));
        Assert.Contains(lines, l => Is(l, "wamsgateway_delegation_duration_seconds_bucket{", "api=\"app-delegated\""));
        Assert.Contains(lines, l => Is(l, "wamsgateway_auth_failures_total{", "reason=\"invalid_signature\""));
        Assert.DoesNotContain(lines, l => l.Contains("alice", StringComparison.Ordinal) || l.Contains(idToken[^20..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_OperatorSignals_ExchangeLatencyByOutcomeInUsefulBuckets_BuildKeysAndConfigGauges_Runtime()
    {
        var (_, idToken) = await _f.SignInAsync();
        foreach (var path in new[] { "/app-delegated/o", "/app-delegated/o", "/dead-endpoint/o" })
        {
            using var response = await _f.SendAsync(HttpMethod.Get, path, idToken);
        }

        var scrape = await WamsGateway.TestSupport.Eventually.ReturnsAsync(
            () => Scrape.ReadAsync(_f.Gateway.Client),
            s => s.Find("wamsgateway_delegation_duration_seconds_bucket", ("api", "dead-endpoint")).Any());

        string[] expected = ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
        foreach (var outcome in new[] { "miss", "hit" })
        {
            var buckets = scrape.Find("wamsgateway_delegation_duration_seconds_bucket", ("api", "app-delegated"), ("outcome", outcome)).Select(b => b.Labels["le"]);
            Assert.Equal(expected, buckets);
        }

        Assert.Single(scrape.Find("wamsgateway_delegation_duration_seconds_count", ("api", "dead-endpoint"), ("outcome", "unavailable")));
        Assert.Single(scrape.Find("wamsgateway_delegation_requests_total", ("api", "dead-endpoint"), ("outcome", "error")));
        Assert.Equal("histogram", scrape.Types["wamsgateway_delegation_duration_seconds"]);

        var version = typeof(WamsGatewayDefaults).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];
        Assert.Equal(1, scrape.Value("wamsgateway_build_info", ("version", version)));

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(scrape.Value("wamsgateway_authority_keys_last_refresh_timestamp_seconds", ("authority", "default")), now - 600, now + 1);
        Assert.InRange(scrape.Value("wamsgateway_config_last_reload_success_timestamp_seconds"), now - 600, now + 1);
        Assert.Equal("gauge", scrape.Types["wamsgateway_config_last_reload_success_timestamp_seconds"]);
        Assert.Single(scrape.Find("wamsgateway_config_reloads_total", ("outcome", "refused")));

        // The runtime's own meter.
        Assert.Contains("dotnet_gc_collections_total", scrape.Types.Keys);
        Assert.True(scrape.Value("dotnet_process_memory_working_set_bytes") > 0);
        Assert.Contains("dotnet_thread_pool_queue_length_total", scrape.Types.Keys);
    }

    private static bool Is(string line, string name, params string[] labels) =>
        line.StartsWith(name, StringComparison.Ordinal) && labels.All(label => line.Contains(label, StringComparison.Ordinal));
}
