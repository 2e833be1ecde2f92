using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.Authentication;
using WamsGateway.Configuration;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Authentication;

/// <summary>The metadata cache on a fake clock, against a real authority socket.</summary>
public sealed class AuthorityMetadataTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private TestAuthority _authority = null!;
    private AuthorityMetadata _metadata = null!;

    public async Task InitializeAsync()
    {
        _authority = await TestAuthority.StartAsync();
        var settings = new AuthenticationSettings
        {
            Authority = _authority.Issuer,
            RequireHttpsMetadata = false,
            MetadataRefreshInterval = TimeSpan.FromHours(1),
            KeyRefreshMinInterval = TimeSpan.FromSeconds(30),
        };
        _metadata = new AuthorityMetadata(new SingleClientFactory(), settings, _time, NullLogger<AuthorityMetadata>.Instance);
    }

    public async Task DisposeAsync()
    {
        _metadata.Dispose();
        await _authority.DisposeAsync();
    }

    [Fact]
    public async Task GetConfiguration_WithinRefreshInterval_ReadsOnce()
    {
        await _metadata.GetConfigurationAsync(default);
        _time.Advance(TimeSpan.FromMinutes(59));
        await _metadata.GetConfigurationAsync(default);

        Assert.Equal(1, _authority.JwksReads);

        _time.Advance(TimeSpan.FromMinutes(2));
        await _metadata.GetConfigurationAsync(default);

        Assert.Equal(2, _authority.JwksReads);
    }

    [Fact]
    public async Task RequestRefresh_IsGrantedOncePerMinInterval()
    {
        await _metadata.GetConfigurationAsync(default);

        _metadata.RequestRefresh();
        await _metadata.GetConfigurationAsync(default);
        _time.Advance(TimeSpan.FromSeconds(29));
        _metadata.RequestRefresh();
        await _metadata.GetConfigurationAsync(default);

        Assert.Equal(2, _authority.JwksReads);

        _time.Advance(TimeSpan.FromSeconds(2));
        _metadata.RequestRefresh();
        await _metadata.GetConfigurationAsync(default);

        Assert.Equal(3, _authority.JwksReads);
    }

    [Fact]
    public async Task RefreshFailure_KeepsLastGoodKeys()
    {
        var first = await _metadata.GetConfigurationAsync(default);
        _authority.Down = true;
        _time.Advance(TimeSpan.FromHours(2));

        var second = await _metadata.GetConfigurationAsync(default);

        Assert.Same(first, second);
        Assert.True(_metadata.LastRefreshFailed);
        var health = await new WamsGateway.Health.AuthorityHealthCheck("default", _metadata, () => false).CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, health.Status);

        _authority.Down = false;
        _time.Advance(TimeSpan.FromSeconds(31));
        await _metadata.GetConfigurationAsync(default);

        Assert.False(_metadata.LastRefreshFailed);
    }

    [Fact]
    public async Task AuthorityDownAtStart_ThrowsAndBacksOff()
    {
        _authority.Down = true;

        await Assert.ThrowsAsync<AuthorityUnavailableException>(() => _metadata.GetConfigurationAsync(default));
        await Assert.ThrowsAsync<AuthorityUnavailableException>(() => _metadata.GetConfigurationAsync(default));
        Assert.Equal(1, _metadata.FetchCount);

        _authority.Down = false;
        _time.Advance(TimeSpan.FromSeconds(6));
        var configuration = await _metadata.GetConfigurationAsync(default);

        Assert.Single(configuration.SigningKeys);
        Assert.Equal(2, _metadata.FetchCount);
    }

    private sealed class SingleClientFactory : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }
}
