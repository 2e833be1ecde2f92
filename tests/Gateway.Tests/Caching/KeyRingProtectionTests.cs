using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using WamsGateway.Caching;
using WamsGateway.Configuration;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// Whoever can read all of Redis, the key ring included, decrypts nothing: the key ring is protected
/// by a key Redis never sees, and the gateway refuses to start with Redis and no such protection.
/// </summary>
public sealed class KeyRingProtectionTests : IClassFixture<FleetFixture>
{
    private readonly FleetFixture _f;

    public KeyRingProtectionTests(FleetFixture fixture)
    {
        _f = fixture;
    }

    [Fact]
    public async Task RedisDump_WithTheKeyRing_DecryptsNothing()
    {
        await FillCacheAsync(_f);
        var dump = await RedisDump.ReadAsync(_f.Redis.Configuration);

        var (keyRing, decrypted, entries) = Attack(dump);

        Assert.NotEmpty(keyRing);
        Assert.All(keyRing, k => Assert.DoesNotContain("<masterKey", k.ToString(), StringComparison.Ordinal));
        Assert.True(entries >= 4, $"only {entries} cache entries in Redis");
        Assert.Equal(0, decrypted);
    }

    [Fact]
    public async Task TheSameAttack_DecryptsEverything_WhenTheOperatorAllowedAnUnprotectedKeyRing()
    {
        // The control: the attack above is real, and it is the protection that defeats it.
        var unprotected = new UnprotectedFleet();
        await unprotected.InitializeAsync();
        try
        {
            await FillCacheAsync(unprotected);
            var (_, decrypted, entries) = Attack(await RedisDump.ReadAsync(unprotected.Redis.Configuration));

            Assert.True(entries >= 4);
            Assert.Equal(entries, decrypted);
            Assert.Contains(unprotected.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal)
                && l.Contains("key ring in Redis is not protected", StringComparison.Ordinal));
        }
        finally
        {
            await unprotected.DisposeAsync();
        }
    }

    [Fact]
    public async Task KeyPlantedInTheRedisKeyRing_IsNeverUsed_SoWhatReplicasWriteStaysUnreadable()
    {
        // A Redis writer makes a Data Protection key of their own (plain text, activated now, so the
        // newest) and adds it to the ring; a replica that starts afterwards must not adopt it.
        var attacker = new DumpedKeyRing([]);
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(CachingExtensions.ApplicationName).DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = attacker);
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddDays(90));
        }

        var planted = Assert.Single(attacker.Stored);
        Assert.Contains("<masterKey", planted.ToString(), StringComparison.Ordinal);
        await FillCacheAsync(_f);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var ring = (await RedisDump.ReadAsync(_f.Redis.Configuration)).Single(e => e.Key.EndsWith("dataprotection-keys", StringComparison.Ordinal)).Key;
        var plantedText = planted.ToString(SaveOptions.DisableFormatting);
        await redis.GetDatabase().ListRightPushAsync(ring, plantedText);
        try
        {
            await using var replica = await _f.StartGatewayAsync();
            var (accessToken, _) = await _f.SignInAsync("bob");
            using (var response = await DelegationFixture.SendAsync(replica, HttpMethod.Get, "/orders/x", accessToken))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // With every key in Redis, the planted one included, the attacker still decrypts nothing.
            var (_, decrypted, entries) = Attack(await RedisDump.ReadAsync(_f.Redis.Configuration));
            Assert.True(entries >= 1);
            Assert.Equal(0, decrypted);
        }
        finally
        {
            // The fixture is shared: leave the ring as the replicas wrote it.
            await redis.GetDatabase().ListRemoveAsync(ring, plantedText);
        }

        Assert.Contains(_f.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Ignored Data Protection key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyRepeatedInTheRedisKeyRing_DoesNotStopAReplicaFromWritingRedis()
    {
        // Data Protection refuses a ring with a key id twice; a Redis writer must not disable the cache that way.
        await FillCacheAsync(_f);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var dump = await RedisDump.ReadAsync(_f.Redis.Configuration);
        var ring = dump.Single(e => e.Key.EndsWith("dataprotection-keys", StringComparison.Ordinal));
        var copy = ring.Value.Items[0];
        await redis.GetDatabase().ListRightPushAsync(ring.Key, copy);
        try
        {
            await using var replica = await _f.StartGatewayAsync();
            var (accessToken, _) = await _f.SignInAsync("bob");
            using (var response = await DelegationFixture.SendAsync(replica, HttpMethod.Get, "/orders/x", accessToken))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            Assert.Contains((await RedisDump.ReadAsync(_f.Redis.Configuration)).Keys, k => k.EndsWith(TokenHash.Of(accessToken), StringComparison.Ordinal));
        }
        finally
        {
            await redis.GetDatabase().ListRemoveAsync(ring.Key, copy, count: -1);
        }
    }

    [Fact]
    public async Task ValueThatDecryptsButDoesNotParse_IsAMiss_NotA500()
    {
        // Only a holder of the key-ring key could write such a value; the gateway still answers.
        var (accessToken, _) = await _f.SignInAsync("alice");
        using (var first = await _f.SendAsync(HttpMethod.Get, "/orders/x", accessToken))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var dump = await RedisDump.ReadAsync(_f.Redis.Configuration);
        var key = Assert.Single(dump.Keys, k => k.Contains("delegation:orders:", StringComparison.Ordinal) && k.EndsWith(TokenHash.Of(accessToken), StringComparison.Ordinal));
        var services = new ServiceCollection();
        services.AddSingleton(WamsGateway.Caching.KeyRing.KeyEncryptionKey.Parse(FleetFixture.KeyRingKey));
        services.AddDataProtection().SetApplicationName(CachingExtensions.ApplicationName).DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new DumpedKeyRing(
            KeyRingOf(dump).Where(k => !k.ToString().Contains("<masterKey", StringComparison.Ordinal)).ToList()));
        await using var provider = services.BuildServiceProvider();
        var garbage = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector(ProtectedDistributedCache.Purpose).CreateProtector(key)
            .Protect("not the JSON of a cache entry"u8.ToArray());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        await redis.GetDatabase().HashSetAsync(key, "data", garbage);
        var before = await _f.TokenExchangesAsync();

        using var response = await DelegationFixture.SendAsync(_f.SecondGateway, HttpMethod.Get, "/orders/x", accessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before + 1, await _f.TokenExchangesAsync());
    }

    [Fact]
    public void RedisWithoutKeyRingProtection_RefusesToStart()
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => BuildWithRedis());

        var problem = Assert.Single(ex.Problems);
        Assert.Contains("Gateway:Redis:KeyRingKey", problem, StringComparison.Ordinal);
        Assert.Contains("Gateway:Redis:AllowUnprotectedKeyRing", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64 at all")]
    [InlineData("c2hvcnQ=")]
    public void KeyRingKeyOfTheWrongShape_RefusesToStart(string key)
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => BuildWithRedis($"--Gateway:Redis:KeyRingKey={key}"));

        Assert.Contains(ex.Problems, p => p.StartsWith("Gateway:Redis:KeyRingKey: not 32 bytes in base64", StringComparison.Ordinal));
        Assert.DoesNotContain(ex.Problems, p => p.Contains(key, StringComparison.Ordinal));
    }

    /// <summary>A gateway with Redis configured (never reached: start-up stops first) and these settings.</summary>
    private static WebApplication BuildWithRedis(params string[] settings) => GatewayApp.Build(
    [
        $"--contentRoot={WamsGateway.TestSupport.TempDirectory.Create("keyring")}", "--hostBuilder:reloadConfigOnChange=false",
        "--Gateway:Authentication:Authority=https://tenant.example.com/", "--Gateway:Authentication:Audiences:0=https://api.test",
        "--Gateway:Redis:Configuration=127.0.0.1:1", .. settings,
    ]);

    private static async Task FillCacheAsync(FleetFixture fleet)
    {
        var (accessToken, idToken) = await fleet.SignInAsync();
        foreach (var (api, token) in new[] { ("wams-delegated", idToken), ("wams-minted", idToken), ("orders", accessToken), ("aws-recorded", accessToken) })
        {
            using var response = await fleet.SendAsync(HttpMethod.Get, $"/{api}/x", token);
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound, $"{api}: {response.StatusCode}");
        }
    }

    /// <summary>
    /// What an attacker with a copy of Redis would do: load the dumped key ring into Data Protection
    /// under the gateway's application name, and unprotect every cache value with the purposes the
    /// gateway's own (public) code uses. Returns the key ring, how many values decrypted, and how many there were.
    /// </summary>
    private static (IReadOnlyList<XElement> KeyRing, int Decrypted, int Entries) Attack(Dictionary<string, RedisValueDump> dump)
    {
        var keyRing = KeyRingOf(dump);
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(CachingExtensions.ApplicationName).DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new DumpedKeyRing(keyRing));
        using var provider = services.BuildServiceProvider();
        var protector = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector(ProtectedDistributedCache.Purpose);

        var decrypted = 0;
        var entries = 0;
        foreach (var (key, value) in dump.Where(e => e.Key.Contains("delegation:", StringComparison.Ordinal) && e.Value.Fields.ContainsKey("data")))
        {
            entries++;
            try
            {
                protector.CreateProtector(key).Unprotect(value.Fields["data"]);
                decrypted++;
            }
            catch (CryptographicException)
            {
            }
        }

        return (keyRing, decrypted, entries);
    }

    private static List<XElement> KeyRingOf(Dictionary<string, RedisValueDump> dump) =>
        dump.Single(e => e.Key.EndsWith("dataprotection-keys", StringComparison.Ordinal)).Value.Items.Select(XElement.Parse).ToList();

    /// <summary>A key ring in memory: the dumped one, or the attacker's own (what it stores is kept).</summary>
    private sealed class DumpedKeyRing(IReadOnlyList<XElement> elements) : IXmlRepository
    {
        public List<XElement> Stored { get; } = [];

        public IReadOnlyCollection<XElement> GetAllElements() => [.. elements, .. Stored];

        public void StoreElement(XElement element, string friendlyName) => Stored.Add(element);
    }

    private sealed class UnprotectedFleet : FleetFixture
    {
        public UnprotectedFleet()
        {
            var redis = Customize!;
            Customize = config =>
            {
                redis(config);
                config["Gateway"]!["Redis"]!.AsObject().Remove("KeyRingKey");
                config["Gateway"]!["Redis"]!["AllowUnprotectedKeyRing"] = true;
            };
        }
    }
}
