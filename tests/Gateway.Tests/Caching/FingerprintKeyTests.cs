using System.Security.Cryptography;
using System.Text;
using WamsGateway.Caching;
using WamsGateway.Configuration;

namespace WamsGateway.Tests.Caching;

/// <summary>
/// An API's fingerprint is part of its Redis keys and hashes its settings, secrets included: keyed with
/// the key-ring key, a key name read from Redis cannot confirm a guessed secret.
/// </summary>
public sealed class FingerprintKeyTests
{
    private const string Settings = "WamsMint\n{\"MasterKey\":\"guessable\"}";

    [Fact]
    public void WithRedisAndAKeyRingKey_TheFingerprintIsNotThePlainHash()
    {
        var key = FingerprintKey.From(new RedisSettings { Configuration = "127.0.0.1:1", KeyRingKey = Convert.ToBase64String(new byte[32]) });

        Assert.NotEqual(PlainHash(Settings), key.Fingerprint(Settings));
    }

    [Fact]
    public void EveryReplicaWithTheSameKey_ComputesTheSameFingerprint_AnotherKeyAnother()
    {
        var kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var one = FingerprintKey.From(new RedisSettings { Configuration = "127.0.0.1:1", KeyRingKey = kek });
        var two = FingerprintKey.From(new RedisSettings { Configuration = "127.0.0.1:1", KeyRingKey = kek });
        var other = FingerprintKey.From(new RedisSettings { Configuration = "127.0.0.1:1", KeyRingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });

        Assert.Equal(one.Fingerprint(Settings), two.Fingerprint(Settings));
        Assert.NotEqual(one.Fingerprint(Settings), other.Fingerprint(Settings));
        Assert.NotEqual(one.Fingerprint(Settings), one.Fingerprint(Settings.Replace("guessable", "guessable2", StringComparison.Ordinal)));
    }

    [Fact]
    public void WithoutRedis_NothingLeavesTheProcess_AndThePlainHashServes()
    {
        Assert.Equal(PlainHash(Settings), FingerprintKey.From(new RedisSettings()).Fingerprint(Settings));
    }

    private static string PlainHash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 6));
}
