using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
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
        await watch.TickAsync();
        await watch.TickAsync();
        await watch.TickAsync();

        Assert.Equal(3, reads);
    }

    /// <summary>
    /// The watch runs on the thread pool beside the requests: it waits for Redis without holding a thread. A blocking read
    /// every interval held up every request queued behind it in a replica on one core, for about half a second, until the
    /// pool added a thread (seen in the benchmark as a p99 of 0.6 to 1.7 s on the gateway with Redis).
    /// </summary>
    [Fact]
    public async Task ATick_WaitsForRedisWithoutHoldingAThread()
    {
        // A server that takes connections and never answers: Redis as slow as it gets.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var port = ((IPEndPoint)silent.LocalEndpoint).Port;
            using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200,asyncTimeout=1000,syncTimeout=1000");
            var filter = new KeyRingEntryFilter(null, NullLogger<KeyRingEntryFilter>.Instance, TimeProvider.System);
            var repository = new RedisKeyRingRepository(() => redis.GetDatabase(), "test:dataprotection-keys", filter);
            var options = Options.Create(new WamsGatewayOptions { Redis = { Configuration = $"127.0.0.1:{port}" } });
            using var keyManager = new RefreshableKeyManager(new NoKeys());
            using var watch = new KeyRingWatch(repository, keyManager, options, new FakeTimeProvider(), NullLogger<KeyRingWatch>.Instance);

            var tick = watch.TickAsync();

            // Back to the caller while Redis has not answered; the read then fails on its timeout, and the tick with it, quietly.
            Assert.False(tick.IsCompleted);
            await tick;
        }
        finally
        {
            silent.Stop();
        }
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
