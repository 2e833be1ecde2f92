using System.Diagnostics;
using System.Net;
using StackExchange.Redis;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// A Redis lock on a key whose holder never finishes (a replica that crashed mid-exchange, one that cannot
/// write Redis, or a writer to Redis who took it): another replica waits for it a bounded time, then
/// exchanges itself, and answers 200 within its deadline, never 503.
/// </summary>
[Collection(DeadlineTestGroup.Name)]
public sealed class DistributedLockWaitTests : IAsyncLifetime
{
    // The fleet's Delegation:Timeout is 5 s: the budget is two attempts and the retry's pause, the
    // deadline 250 ms more; a replica waits for another's lock one attempt and the pause.
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5.1);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10.35);

    private readonly FleetFixture _f = new();

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task LockWhoseHolderNeverFinishes_TheOtherReplicaExchangesAfterAWait_Answers200WithinItsDeadline()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var db = redis.GetDatabase();
        var (accessToken, _) = await _f.SignInAsync();
        var keyOfAnother = await CacheKeyAsync(redis, accessToken);
        var (token, _) = await _f.SignInAsync("bob");
        var lockName = keyOfAnother[..(keyOfAnother.LastIndexOf(':') + 1)] + TokenHash.Of(token) + ":lock";

        // Held as a replica holds it (Redis renews it for as long as the holder runs); nobody releases this one.
        Assert.True(await db.StringSetAsync(lockName, "a holder that never finishes", TimeSpan.FromMinutes(1), When.NotExists));
        var before = await _f.TokenExchangesAsync();

        var started = Stopwatch.GetTimestamp();
        using var response = await DelegationFixture.SendAsync(_f.SecondGateway, HttpMethod.Get, "/orders/x", token);
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(elapsed < Deadline, $"answered after {elapsed}");
        // It did wait for the lock first: while a holder is at work, the fleet still exchanges once.
        Assert.True(elapsed >= LockWait - TimeSpan.FromMilliseconds(100), $"answered after {elapsed}, without waiting for the lock");
        Assert.Equal(before + 1, await _f.TokenExchangesAsync());

        // What it exchanged is shared: the first replica finds it in Redis, behind no lock.
        started = Stopwatch.GetTimestamp();
        using var onFirst = await DelegationFixture.SendAsync(_f.Gateway, HttpMethod.Get, "/orders/x", token);
        Assert.Equal(HttpStatusCode.OK, onFirst.StatusCode);
        Assert.True(Stopwatch.GetElapsedTime(started) < LockWait, "the value was in Redis: no lock to wait for");
        Assert.Equal(before + 1, await _f.TokenExchangesAsync());
    }

    /// <summary>The cache key (as the lock names it: prefix, API, fingerprint, token hash) of an entry for <paramref name="token"/>.</summary>
    private async Task<string> CacheKeyAsync(ConnectionMultiplexer redis, string token)
    {
        using (var response = await _f.SendAsync(HttpMethod.Get, "/orders/x", token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var stored = Assert.Single(server.Keys(pattern: "*delegation:orders:*" + TokenHash.Of(token)).Select(k => k.ToString()));
        return stored[stored.IndexOf("test:delegation:", StringComparison.Ordinal)..];
    }
}
