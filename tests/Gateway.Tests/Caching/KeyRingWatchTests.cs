using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.Caching.KeyRing;
using WamsGateway.Configuration;

namespace WamsGateway.Tests.Caching;

/// <summary>The key-ring watch never stops the host: a Redis that times out (no RedisException) costs a tick, not the process.</summary>
public sealed class KeyRingWatchTests
{
    [Fact]
    public async Task ARedisThatTimesOut_CostsATick_TheWatchGoesOn()
    {
        var reads = 0;
        var filter = new KeyRingEntryFilter(null, NullLogger<KeyRingEntryFilter>.Instance, TimeProvider.System);
        var repository = new RedisKeyRingRepository(() =>
        {
            Interlocked.Increment(ref reads);
            throw new TimeoutException("Timeout performing LRANGE (a RedisTimeoutException is a TimeoutException, not a RedisException)");
        }, "test:dataprotection-keys", filter);
        var time = new FakeTimeProvider();
        var options = Options.Create(new WamsGatewayOptions { Redis = { Configuration = "127.0.0.1:1" } });
        using var keyManager = new RefreshableKeyManager(new NoKeys());
        using var watch = new KeyRingWatch(repository, keyManager, options, time, NullLogger<KeyRingWatch>.Instance);

        // What the loop runs every interval: before, the timeout escaped it, and a background service that throws stops the host.
        watch.Tick();
        watch.Tick();
        watch.Tick();

        Assert.Equal(3, reads);
    }

    private sealed class NoKeys : IKeyManager
    {
        public IKey CreateNewKey(DateTimeOffset activationDate, DateTimeOffset expirationDate) => throw new NotSupportedException();

        public IReadOnlyCollection<IKey> GetAllKeys() => [];

        public CancellationToken GetCacheExpirationToken() => CancellationToken.None;

        public void RevokeAllKeys(DateTimeOffset revocationDate, string? reason = null) => throw new NotSupportedException();

        public void RevokeKey(Guid keyId, string? reason = null) => throw new NotSupportedException();
    }
}
