using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using WamsGateway.Caching.KeyRing;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Caching;

/// <summary>The key ring's entries, one by one: what Data Protection gets to see of what Redis holds.</summary>
public sealed class KeyRingEntryFilterTests
{
    private static readonly Guid Id = Guid.Parse("8b0e6e3f-7a43-4c3e-9f0b-5f4f8d2b1a10");

    private readonly CapturingLoggerProvider _logs = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly KeyRingEntryFilter _filter;

    public KeyRingEntryFilterTests()
    {
        _filter = new KeyRingEntryFilter(typeof(KeyRingKeyXmlDecryptor), new LoggerFactory([_logs]).CreateLogger<KeyRingEntryFilter>(), _time);
    }

    [Fact]
    public void AKeyAsAReplicaWritesIt_AndARevocation_AreKept()
    {
        var accepted = _filter.Accept([Key(Id.ToString()), Revocation(Id.ToString()), Revocation("*", "2026-01-01T00:00:00Z")]);

        Assert.Equal(3, accepted.Count);
        Assert.Empty(_logs.Lines);
    }

    [Theory]
    [InlineData("2026-06-01T00:00:04Z", true)]
    [InlineData("2026-06-01T00:00:06Z", false)]
    [InlineData("2099-01-01T00:00:00Z", false)]
    public void ARevocationOfEveryKey_DatedPastNowAndTheClockSkew_IsLeftOut(string date, bool kept)
    {
        var accepted = _filter.Accept([Key(Id.ToString()), Revocation("*", date)]);

        Assert.Equal(kept ? 2 : 1, accepted.Count);
        if (kept)
        {
            Assert.Empty(_logs.Lines);
        }
        else
        {
            Assert.Contains("revocation of every key dated in the future", Assert.Single(_logs.Lines), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ARevocationOfOneKey_DatedInTheFuture_IsKept()
    {
        Assert.Equal(2, _filter.Accept([Key(Id.ToString()), Revocation(Id.ToString(), "2099-01-01T00:00:00Z")]).Count);
    }

    [Theory]
    [InlineData("D")]
    [InlineData("B")]
    [InlineData("N")]
    [InlineData("P")]
    [InlineData("upper")]
    public void ASecondKeyWithTheSameIdInAnySpelling_IsLeftOut_TheFirstKept(string spelling)
    {
        var copy = spelling == "upper" ? Id.ToString().ToUpperInvariant() : Id.ToString(spelling);
        var first = Key(Id.ToString(), activation: "2026-01-01T00:00:00Z");

        var accepted = _filter.Accept([first, Key(copy, activation: "2026-02-01T00:00:00Z")]);

        var kept = Assert.Single(accepted);
        Assert.Equal("2026-01-01T00:00:00Z", kept.Element("activationDate")!.Value);
        Assert.Single(_logs.Lines, l => l.Contains("appears earlier", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not XML at all", "not XML")]
    [InlineData("<key id=\"x\">", "not XML")]
    [InlineData("<!DOCTYPE key [<!ENTITY a \"aaaa\">]><key id=\"8b0e6e3f-7a43-4c3e-9f0b-5f4f8d2b1a10\">&a;</key>", "not XML")]
    [InlineData("<somethingElse/>", "neither a key nor a revocation")]
    [InlineData("<key id=\"not-a-guid\"/>", "not a GUID")]
    [InlineData("<revocation version=\"1\"><key id=\"nope\"/></revocation>", "revocation without a readable")]
    [InlineData("<revocation version=\"1\"><key id=\"*\"/></revocation>", "revocation without a readable")]
    [InlineData("<revocation version=\"1\"/>", "revocation without a readable")]
    public void AnEntryDataProtectionWouldChokeOn_IsLeftOut_TheRestKept(string entry, string problem)
    {
        var accepted = _filter.Accept([entry, Key(Id.ToString())]);

        Assert.Single(accepted);
        var line = Assert.Single(_logs.Lines);
        Assert.StartsWith("Warning", line, StringComparison.Ordinal);
        Assert.Contains("Ignored entry 0 ", line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
    }

    [Fact]
    public void WithAKeyRingKey_ACopyOfARealKeyWhoseSecretDoesNotDecrypt_IsLeftOut_AndTheRealOneAfterItKept()
    {
        var keyRingKey = KeyEncryptionKey.Parse(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(KeyEncryptionKey.SizeInBytes)));
        var filter = new KeyRingEntryFilter(typeof(KeyRingKeyXmlDecryptor), new LoggerFactory([_logs]).CreateLogger<KeyRingEntryFilter>(), _time, keyRingKey);
        var sealedSecret = new KeyRingKeyXmlEncryptor(keyRingKey).Encrypt(new XElement("masterKey", new XElement("value", "c2VjcmV0"))).EncryptedElement;
        var real = Key(Id.ToString(), sealedSecret: sealedSecret);

        // The planted copy: the real key's id, a secret of the writer's own, ahead of the real key in the list.
        var kept = Assert.Single(filter.Accept([Key(Id.ToString("B").ToUpperInvariant()), real]));

        Assert.Equal(real, kept.ToString(SaveOptions.DisableFormatting));
        Assert.Single(_logs.Lines, l => l.Contains("not encrypted with the configured key-ring protection", StringComparison.Ordinal));
    }

    [Fact]
    public void AKeyWithUnreadableDates_IsLeftOut()
    {
        Assert.Empty(_filter.Accept([Key(Id.ToString(), activation: "tomorrow")]));
        Assert.Contains("date is missing or unreadable", Assert.Single(_logs.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyNotProtectedAsConfigured_IsLeftOut_EvenWhenItComesFirst()
    {
        var plain = Key(Id.ToString(), activation: "2027-01-01T00:00:00Z", plain: true);

        var kept = Assert.Single(_filter.Accept([plain, Key(Id.ToString())]));

        Assert.Equal("2026-01-01T00:00:00Z", kept.Element("activationDate")!.Value);
        Assert.Contains("Ignored Data Protection key " + Id, Assert.Single(_logs.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEntryTooLarge_IsLeftOut()
    {
        var large = Key(Id.ToString()).Replace("</key>", new string(' ', KeyRingEntryFilter.MaxEntryLength) + "</key>", StringComparison.Ordinal);

        Assert.Empty(_filter.Accept([large]));
        Assert.Contains("larger than", Assert.Single(_logs.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void AnIdWithALineBreak_IsLoggedOnOneLine_Escaped_AndCut()
    {
        // XML cannot carry C0 controls other than tab and line breaks; line breaks and bidi overrides it can.
        var id = "abc\r\nWarning Forged: line\u2028\u202e" + new string('x', 200);

        _filter.Accept([new XElement("key", new XAttribute("id", id)).ToString()]);

        var line = Assert.Single(_logs.Lines);
        Assert.Contains("abc\\r\\nWarning Forged: line\\u2028\\u202e", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\u2028", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202e", line, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 100), line, StringComparison.Ordinal);
    }

    [Fact]
    public void EachEntryIsLoggedOnce_AndWhatIsRememberedIsBounded()
    {
        _filter.Accept(["one", "two"]);
        _filter.Accept(["one", "two", "one"]);
        Assert.Equal(2, _logs.Lines.Count);

        var many = Enumerable.Range(0, KeyRingEntryFilter.MaxRemembered + 500).Select(i => $"garbage {i}").ToList();
        _filter.Accept(many);
        _filter.Accept(many);

        Assert.Equal(KeyRingEntryFilter.MaxRemembered + 1, _logs.Lines.Count);
        Assert.Single(_logs.Lines, l => l.Contains("further ones are ignored without a line each", StringComparison.Ordinal));
    }

    /// <summary>A key as a replica writes it (its secret encrypted with the KeyRingKey), or with its master key in plain text.</summary>
    private static string Key(string id, string activation = "2026-01-01T00:00:00Z", bool plain = false, XElement? sealedSecret = null)
    {
        XNamespace dp = "http://schemas.asp.net/2015/03/dataProtection";
        object secret = plain
            ? new XElement("masterKey", new XAttribute(dp + "requiresEncryption", "true"), new XElement("value", "AAAA"))
            : new XElement(dp + "encryptedSecret", new XAttribute("decryptorType", typeof(KeyRingKeyXmlDecryptor).AssemblyQualifiedName!),
                sealedSecret ?? new XElement(KeyRingCipher.ElementName, new XAttribute("keyId", "0123456789ab"), new XElement("value", "AAAA")));
        return new XElement("key", new XAttribute("id", id), new XAttribute("version", 1),
            new XElement("creationDate", "2025-12-01T00:00:00Z"),
            new XElement("activationDate", activation),
            new XElement("expirationDate", "2027-12-01T00:00:00Z"),
            new XElement("descriptor", new XAttribute("deserializerType", "Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel.AuthenticatedEncryptorDescriptorDeserializer"),
                new XElement("descriptor", new XElement("encryption", new XAttribute("algorithm", "AES_256_CBC")), secret))).ToString(SaveOptions.DisableFormatting);
    }

    private static string Revocation(string id, string date = "2026-01-01T00:00:00Z") =>
        new XElement("revocation", new XAttribute("version", 1), new XElement("revocationDate", date), new XElement("key", new XAttribute("id", id)),
            new XElement("reason", "rotated")).ToString(SaveOptions.DisableFormatting);
}
