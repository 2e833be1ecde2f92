using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.Caching;

namespace WamsGateway.Tests.Caching;

public sealed class CredentialLifetimeTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(3600, 7200, 60, 3540)]
    [InlineData(7200, 3600, 60, 3540)]
    [InlineData(600, 3600, 0, 600)]
    [InlineData(90, 3600, 60, 30)]
    [InlineData(60, 3600, 60, 0)]
    [InlineData(30, 3600, 60, -30)]
    public void For_EarlierExpiryLessMargin(int credentialSeconds, int subjectSeconds, int marginSeconds, int expectedSeconds)
    {
        var now = _time.GetUtcNow();

        var lifetime = CredentialLifetime.For(now.AddSeconds(credentialSeconds), now.AddSeconds(subjectSeconds), TimeSpan.FromSeconds(marginSeconds), now);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), lifetime);
    }
}
