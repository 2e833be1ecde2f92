using System.Net;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Health;

/// <summary>GET /metrics: the Prometheus exposition with the names docs/http-behaviour.md lists, and nothing secret in it.</summary>
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

    private static bool Is(string line, string name, params string[] labels) =>
        line.StartsWith(name, StringComparison.Ordinal) && labels.All(label => line.Contains(label, StringComparison.Ordinal));
}
