using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.Assertions;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Assertions;

/// <summary>Key periods, the key file, and what a store may hand back.</summary>
public sealed class AssertionKeyTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void Schedule_CutsTimeIntoPeriodsFromTheEpoch_TheSameOnEveryReplica()
    {
        var schedule = new AssertionKeySchedule(Hour);
        var start = DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(schedule.GenerationAt(start), schedule.GenerationAt(start.AddMinutes(59.9)));
        Assert.Equal(schedule.GenerationAt(start) + 1, schedule.GenerationAt(start.AddHours(1)));
        Assert.Equal(start, schedule.Start(schedule.GenerationAt(start.AddMinutes(30))));
        Assert.True(schedule.PublishesPrevious(schedule.GenerationAt(start), start.AddMinutes(10.9)));
        Assert.False(schedule.PublishesPrevious(schedule.GenerationAt(start), start.AddMinutes(11)));
        Assert.NotEqual(schedule.Slot("ES256", 7), new AssertionKeySchedule(Hour * 2).Slot("ES256", 7));
        Assert.NotEqual(schedule.Slot("ES256", 7), schedule.Slot("RS256", 7));
    }

    [Theory]
    [InlineData("ES256", "EC")]
    [InlineData("RS256", "RSA")]
    [InlineData("PS256", "RSA")]
    public void Key_RoundTripsThroughItsMaterial_AndPublishesNoPrivatePart(string algorithm, string kty)
    {
        var key = AssertionKey.Create(algorithm, 5);
        var again = AssertionKey.FromMaterial(key.Material, algorithm, 5);

        Assert.NotNull(again);
        Assert.Equal(key.KeyId, again.KeyId);
        Assert.Equal(kty, key.PublicJwk["kty"]!.GetValue<string>());
        Assert.Equal(algorithm, key.PublicJwk["alg"]!.GetValue<string>());
        foreach (var secret in new[] { "d", "p", "q", "dp", "dq", "qi" })
        {
            Assert.Null(key.PublicJwk[secret]);
        }
    }

    [Fact]
    public void Material_OfAnotherAlgorithm_OrNotAKey_IsRefused()
    {
        var es = AssertionKey.Create("ES256", 1);

        Assert.Null(AssertionKey.FromMaterial(es.Material, "RS256", 1));
        Assert.Null(AssertionKey.FromMaterial("not json"u8.ToArray(), "ES256", 1));
        Assert.Null(AssertionKey.FromMaterial("{\"Alg\":\"ES256\",\"Pkcs8\":\"AAAA\"}"u8.ToArray(), "ES256", 1));
    }

    [Fact]
    public async Task KeyFile_KeepsTheKeysAcrossRestarts_ReadableByTheOwnerOnly()
    {
        var path = Path.Combine(TempDirectory.Create("assertion-keys"), "keys", "assertion-keys.json");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);

        var first = await RingOver(path, clock).GetAsync(CancellationToken.None);
        var restarted = await RingOver(path, clock).GetAsync(CancellationToken.None);

        Assert.Equal(first.Signing.KeyId, restarted.Signing.KeyId);
        Assert.Equal(first.Next.KeyId, restarted.Next.KeyId);
        Assert.NotEqual(first.Signing.KeyId, first.Next.KeyId);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task KeyFile_ThatIsNotTheGatewaysOwn_IsNeverOverwritten()
    {
        var path = Path.Combine(TempDirectory.Create("assertion-keys"), "assertion-keys.json");
        await File.WriteAllTextAsync(path, "-----BEGIN PRIVATE KEY----- someone else's");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RingOver(path, TimeProvider.System).GetAsync(CancellationToken.None).AsTask());

        Assert.Contains("KeyFile", error.Message, StringComparison.Ordinal);
        Assert.Equal("-----BEGIN PRIVATE KEY----- someone else's", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Ring_MovingIntoTheNextPeriod_SignsWithTheKeyItPublishedAsNext()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ring = new AssertionKeyRing(new AssertionSettings { Issuer = "http://gw/", KeyLifetime = Hour }, new MemoryAssertionKeyStore(), clock, NullLogger<AssertionKeyRing>.Instance);
        var before = await ring.GetAsync(CancellationToken.None);

        clock.Advance(Hour);
        var after = await ring.GetAsync(CancellationToken.None);

        Assert.Equal(before.Next.KeyId, after.Signing.KeyId);
        Assert.Same(before.Signing, after.Previous);
    }

    private static AssertionKeyRing RingOver(string path, TimeProvider clock) => new(
        new AssertionSettings { Issuer = "http://gw/", KeyLifetime = Hour, KeyFile = path },
        new FileAssertionKeyStore(path, NullLogger<FileAssertionKeyStore>.Instance), clock, NullLogger<AssertionKeyRing>.Instance);
}

/// <summary>What the reuse cache hands back, and when it does not.</summary>
public sealed class AssertionIssuerTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly Microsoft.Extensions.Caching.Memory.MemoryCache _cache;

    public AssertionIssuerTests() =>
        _cache = new(new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions { SizeLimit = 100, Clock = new WamsGateway.Caching.TimeProviderClock(_clock) });
    private readonly System.Security.Claims.ClaimsPrincipal _alice = new(new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", "auth0|alice")], "test"));

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task Unbound_IsReusedUntilItsMargin_ThenSignedAgain()
    {
        var (issuer, keys) = await IssuerAsync();
        var settings = new ApiAssertionSettings { Audience = "https://orders.test", Lifetime = TimeSpan.FromSeconds(60) };

        var first = issuer.Unbound(keys, "orders", settings, _alice, default, "token-a");
        _clock.Advance(TimeSpan.FromSeconds(44));
        var reused = issuer.Unbound(keys, "orders", settings, _alice, default, "token-a");
        _clock.Advance(TimeSpan.FromSeconds(2));
        var renewed = issuer.Unbound(keys, "orders", settings, _alice, default, "token-a");

        Assert.Equal(first, reused);
        Assert.NotEqual(first, renewed);
    }

    [Fact]
    public async Task Unbound_AfterAReloadChangedTheApisSettings_IsNeverTheOldOne()
    {
        var (issuer, keys) = await IssuerAsync();
        var before = issuer.Unbound(keys, "orders", new ApiAssertionSettings { Audience = "https://old.test" }, _alice, default, "token-a");
        var after = issuer.Unbound(keys, "orders", new ApiAssertionSettings { Audience = "https://new.test" }, _alice, default, "token-a");

        Assert.NotEqual(before, after);
        Assert.Contains("https://new.test", System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(after.Split('.')[1])), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAssertionThatWouldOutliveTheCallersToken_EndsWithIt_AndIsNotKept()
    {
        var (issuer, keys) = await IssuerAsync();
        var exp = _clock.GetUtcNow().AddSeconds(10).ToUnixTimeSeconds();
        var caller = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim("sub", "auth0|alice"), new System.Security.Claims.Claim("exp", exp.ToString(System.Globalization.CultureInfo.InvariantCulture))], "test"));
        var settings = new ApiAssertionSettings { Audience = "https://orders.test", Lifetime = TimeSpan.FromMinutes(5) };

        var first = issuer.Unbound(keys, "orders", settings, caller, default, "token-a");
        var second = issuer.Unbound(keys, "orders", settings, caller, default, "token-a");

        Assert.Contains($"\"exp\":{exp}", System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(first.Split('.')[1])), StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }

    private async Task<(AssertionIssuer Issuer, AssertionKeySet Keys)> IssuerAsync()
    {
        var ring = new AssertionKeyRing(new AssertionSettings { Issuer = "http://gw/" }, new MemoryAssertionKeyStore(), _clock, NullLogger<AssertionKeyRing>.Instance);
        return (new AssertionIssuer("http://gw/", _clock, _cache), await ring.GetAsync(CancellationToken.None));
    }
}
