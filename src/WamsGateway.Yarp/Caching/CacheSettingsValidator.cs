using WamsGateway.Configuration;

namespace WamsGateway.Caching;

/// <summary>The checks on <c>Gateway:Cache</c> and <c>Gateway:Redis</c>: the delegation cache's two levels and the key ring that encrypts them.</summary>
internal sealed class CacheSettingsValidator : GatewaySettingsValidator
{
    protected override void Validate(WamsGatewayOptions options, List<string> problems)
    {
        ValidateCache(options.Cache, problems);
        ValidateRedis(options.Redis, problems);
    }

    private static void ValidateCache(CacheSettings cache, List<string> problems)
    {
        const string Key = WamsGatewayOptions.SectionName + ":Cache";
        if (cache.SafetyMargin < TimeSpan.Zero || cache.SafetyMargin > TimeSpan.FromMinutes(30))
        {
            problems.Add($"{Key}:SafetyMargin: between 00:00:00 and 00:30:00.");
        }

        if (cache.MaxEntries < 100)
        {
            problems.Add($"{Key}:MaxEntries: at least 100.");
        }

        if (cache.EagerRefreshThreshold != 0 && (cache.EagerRefreshThreshold <= 0.5f || cache.EagerRefreshThreshold >= 1f))
        {
            problems.Add($"{Key}:EagerRefreshThreshold: 0 (off) or a fraction above 0.5 and below 1, such as 0.8.");
        }
    }

    private static void ValidateRedis(RedisSettings redis, List<string> problems)
    {
        const string Key = WamsGatewayOptions.SectionName + ":Redis";
        if (redis.Configuration is { } configuration)
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(configuration);
            }
            catch (ArgumentException)
            {
                problems.Add($"{Key}:Configuration: not a StackExchange.Redis configuration string (for example 127.0.0.1:6379,password=...).");
            }
        }

        if (string.IsNullOrWhiteSpace(redis.KeyPrefix))
        {
            problems.Add($"{Key}:KeyPrefix: required, so the gateway's keys never mix with another application's.");
        }

        if (redis.OperationTimeout < TimeSpan.FromMilliseconds(10) || redis.OperationTimeout > TimeSpan.FromSeconds(5))
        {
            problems.Add($"{Key}:OperationTimeout: between 00:00:00.010 and 00:00:05.");
        }

        if (redis.CircuitBreakerDuration < TimeSpan.Zero)
        {
            problems.Add($"{Key}:CircuitBreakerDuration: not negative.");
        }

        if (redis.KeyRingCertificatePath is { } path && !File.Exists(path))
        {
            problems.Add($"{Key}:KeyRingCertificatePath: '{path}' does not exist.");
        }

        if (redis.KeyRingKey is { } kek && !KeyRing.KeyEncryptionKey.IsValid(kek))
        {
            problems.Add($"{Key}:KeyRingKey: not {KeyRing.KeyEncryptionKey.SizeInBytes} bytes in base64; make one with: openssl rand -base64 32.");
        }

        if (redis.KeyRingCertificatePath is not null && redis.KeyRingKey is not null)
        {
            problems.Add($"{Key}: set one of KeyRingCertificatePath and KeyRingKey, not both.");
        }

        if (redis.Configuration is not null && !redis.KeyRingProtected && !redis.AllowUnprotectedKeyRing)
        {
            problems.Add($"{Key}: the Data Protection key ring that encrypts the cache is kept in Redis, so it must be protected by a key Redis never sees: "
                + $"set {Key}:KeyRingKey (32 random bytes in base64, from a secret) or {Key}:KeyRingCertificatePath. "
                + $"{Key}:AllowUnprotectedKeyRing: true starts without that protection (whoever can read Redis can then decrypt every cached credential).");
        }
    }
}
