using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WamsGateway.Caching;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// Whoever can write to Redis adds entries to the Data Protection key ring: one that is not XML, a copy
/// of the real key with its id spelled another way, a key whose id carries a line break, a revocation of
/// every key dated in the future (which would revoke the keys replicas make next too). A replica that
/// starts afterwards still encrypts and decrypts with the real key (what it caches, another replica reads,
/// and the other way round), its readiness is Healthy, and each planted entry is logged once, its text
/// sanitised.
/// </summary>
public sealed class KeyRingTamperingTests : IClassFixture<FleetFixture>
{
    private const string Ring = "test:dataprotection-keys";

    private readonly FleetFixture _f;

    public KeyRingTamperingTests(FleetFixture fixture)
    {
        _f = fixture;
    }

    public static TheoryData<string[]> Plants => new()
    {
        { ["not-xml"] },
        { ["braced-copy"] },
        { ["newline-id"] },
        { ["future-mass-revocation"] },
        { ["not-xml", "braced-copy", "newline-id", "future-mass-revocation"] },
    };

    [Theory]
    [MemberData(nameof(Plants))]
    public async Task EntriesPlantedInTheKeyRing_ANewReplicaSharesTheCache_IsHealthy_AndLogsEachOnce(string[] plants)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_f.Redis.Configuration);
        var db = redis.GetDatabase();
        var realKey = await RealKeyAsync(db);
        var marker = Guid.NewGuid().ToString("N")[..8];
        var planted = plants.Select(p => (Name: p, Text: Plant(p, realKey, marker))).ToList();
        foreach (var (_, text) in planted)
        {
            await db.ListRightPushAsync(Ring, text);
        }

        var logs = new CapturingLoggerProvider();
        try
        {
            await using var replica = await _f.StartGatewayAsync(services => services.AddLogging(logging => logging.AddProvider(logs)));

            // What the new replica caches, an older replica reads: one exchange for both.
            var (written, _) = await _f.SignInAsync();
            var before = await _f.TokenExchangesAsync();
            await AssertOkAsync(replica, written);
            await AssertOkAsync(_f.Gateway, written);
            Assert.Equal(before + 1, await _f.TokenExchangesAsync());

            // And what an older replica cached, the new one reads.
            var (read, _) = await _f.SignInAsync("bob");
            before = await _f.TokenExchangesAsync();
            await AssertOkAsync(_f.SecondGateway, read);
            await AssertOkAsync(replica, read);
            Assert.Equal(before + 1, await _f.TokenExchangesAsync());

            // Read the ring once more, as Data Protection does when it refreshes: nothing is logged twice.
            var repository = replica.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository!;
            Assert.Single(repository.GetAllElements(), e => e.Name == "key");
            Assert.Single(repository.GetAllElements(), e => e.Name == "key");

            var lines = logs.Lines.ToList();
            foreach (var (name, _) in planted)
            {
                var about = name switch
                {
                    "not-xml" => lines.Where(l => l.Contains("Ignored entry", StringComparison.Ordinal) && l.Contains("not XML", StringComparison.Ordinal)),
                    "braced-copy" => lines.Where(l => l.Contains("Ignored entry", StringComparison.Ordinal) && l.Contains("appears earlier", StringComparison.Ordinal)
                        && l.Contains("{" + realKey.Id + "}", StringComparison.OrdinalIgnoreCase)),
                    "future-mass-revocation" => lines.Where(l => l.Contains("Ignored entry", StringComparison.Ordinal) && l.Contains("revocation of every key dated in the future", StringComparison.Ordinal)),
                    _ => lines.Where(l => l.Contains(marker, StringComparison.Ordinal)),
                };
                var line = Assert.Single(about);
                Assert.StartsWith("Warning", line, StringComparison.Ordinal);
                Assert.DoesNotContain("\n", line.TrimEnd(), StringComparison.Ordinal);
                Assert.DoesNotContain("\r", line, StringComparison.Ordinal);
                if (name == "newline-id")
                {
                    Assert.Contains(marker + "\\nWarning WamsGateway: INJECTED", line, StringComparison.Ordinal);
                }
            }

            Assert.DoesNotContain(lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("key ring is unusable", StringComparison.Ordinal));

            var (status, body) = await ReadinessAsync(replica);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("Healthy", body.GetProperty("status").GetString());
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("key-ring").GetProperty("status").GetString());
        }
        finally
        {
            // The fixture is shared: leave the ring as the replicas wrote it.
            foreach (var (_, text) in planted)
            {
                await db.ListRemoveAsync(Ring, text);
            }
        }
    }

    private static string Plant(string name, RealKey realKey, string marker) => name switch
    {
        "not-xml" => $"<key id=\"{marker}\"> this is not XML",
        "braced-copy" => WithId(realKey.Element, "{" + realKey.Id.ToString().ToUpperInvariant() + "}"),
        // A key of the writer's own (a plain master key) whose id, logged as it is, would start a line of its own.
        "newline-id" => WithId(PlainKey(), marker + "\nWarning WamsGateway: INJECTED"),
        // Every key made before 2099 revoked: the real one, and every key a replica would make instead.
        "future-mass-revocation" => new XElement("revocation", new XAttribute("version", 1), new XElement("revocationDate", "2099-01-01T00:00:00Z"),
            new XElement("key", new XAttribute("id", "*")), new XElement("reason", marker)).ToString(SaveOptions.DisableFormatting),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static string WithId(XElement key, string id)
    {
        var copy = new XElement(key);
        copy.SetAttributeValue("id", id);
        return copy.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>A Data Protection key as anyone can make one: its master key in plain text.</summary>
    private static XElement PlainKey()
    {
        var ring = new InMemoryRing();
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(CachingExtensions.ApplicationName).DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = ring);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddDays(90));
        return Assert.Single(ring.Elements);
    }

    /// <summary>The key the fleet encrypts with (one request first, so the ring has it).</summary>
    private async Task<RealKey> RealKeyAsync(IDatabase db)
    {
        var (token, _) = await _f.SignInAsync();
        await AssertOkAsync(_f.Gateway, token);
        var key = Assert.Single((await db.ListRangeAsync(Ring)).Select(v => XElement.Parse(v.ToString())), e => e.Name == "key");
        return new RealKey(key, Guid.Parse((string)key.Attribute("id")!));
    }

    private static async Task AssertOkAsync(RunningApp gateway, string token)
    {
        using var response = await DelegationFixture.SendAsync(gateway, HttpMethod.Get, "/orders/x", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadinessAsync(RunningApp gateway)
    {
        using var response = await gateway.Client.GetAsync("/healthz/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private sealed record RealKey(XElement Element, Guid Id);

    private sealed class InMemoryRing : IXmlRepository
    {
        public List<XElement> Elements { get; } = [];

        public IReadOnlyCollection<XElement> GetAllElements() => Elements;

        public void StoreElement(XElement element, string friendlyName) => Elements.Add(element);
    }
}
