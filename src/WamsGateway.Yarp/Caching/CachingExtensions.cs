using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using WamsGateway.Caching.KeyRing;
using WamsGateway.Configuration;
using WamsGateway.Exchanges;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed.Redis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace WamsGateway.Caching;

internal static class CachingExtensions
{
    public const string ApplicationName = "WamsGateway";

    /// <summary>The in-process level, as a keyed service so operators' tooling and tests can see its size.</summary>
    public const string MemoryCacheKey = "delegation";

    /// <summary>
    /// The delegation cache: bounded memory first; with <c>Gateway:Redis:Configuration</c>, Redis as a
    /// shared and encrypted second level, a backplane keeping every replica's memory coherent, and a
    /// distributed lock so a key is exchanged once across the fleet.
    /// </summary>
    public static IServiceCollection AddGatewayCaching(this IServiceCollection services, GatewayOptions options)
    {
        var cache = options.Cache;
        var redis = options.Redis;
        var builder = services.AddFusionCache()
            .WithOptions(o =>
            {
                o.CacheKeyPrefix = redis.KeyPrefix;
                o.DisableTagging = true;
                o.DistributedCacheCircuitBreakerDuration = redis.CircuitBreakerDuration;
                o.BackplaneCircuitBreakerDuration = redis.CircuitBreakerDuration;
                o.BackplaneChannelPrefix = redis.KeyPrefix + "backplane";
                // Redis trouble is worth a warning, not an error per request.
                o.DistributedCacheErrorsLogLevel = LogLevel.Warning;
                o.BackplaneErrorsLogLevel = LogLevel.Warning;
                o.DistributedLockerErrorsLogLevel = LogLevel.Warning;
                o.SerializationErrorsLogLevel = LogLevel.Warning;
                o.DistributedCacheSyntheticTimeoutsLogLevel = LogLevel.Debug;
                // A refused or failed exchange (DelegationException), or one over its ExchangeRateLimit, is logged
                // once by the delegation middleware, without a stack trace; FusionCache's own line would repeat it
                // per refusal with one. Anything else a factory throws still reaches the host's exception handler.
                o.FactoryErrorsLogLevel = LogLevel.Debug;
            })
            .WithDefaultEntryOptions(e =>
            {
                // A credential is served only while it works: no fail-safe reuse of expired ones.
                e.IsFailSafeEnabled = false;
                e.Duration = TimeSpan.FromMinutes(1);
                e.Size = 1;
                e.EagerRefreshThreshold = cache.EagerRefreshThreshold > 0 ? cache.EagerRefreshThreshold : null;
                e.DistributedCacheHardTimeout = redis.OperationTimeout;
                // Writes complete before the answer, so the next request on another replica finds them.
                e.AllowBackgroundDistributedCacheOperations = false;
                e.AllowBackgroundBackplaneOperations = true;
                // A replica waits for another's exchange of the same key for one attempt and the retry's
                // pause, then exchanges itself: waiting and its own attempt fit in the request's deadline,
                // so a lock whose holder cannot finish costs a wait, never a 503.
                e.DistributedLockTimeout = DistributedLockWait(options.Delegation);
                // A value that decrypts but does not parse is a miss, never an error answer.
                e.ReThrowSerializationExceptions = false;
            })
            .WithMemoryCache(sp => sp.GetRequiredKeyedService<IMemoryCache>(MemoryCacheKey))
            // FusionCache's standard locker keeps a semaphore per key for five minutes: memory per distinct caller.
            .WithMemoryLocker(_ => new KeyedMemoryLocker());
        services.AddKeyedSingleton<IMemoryCache>(MemoryCacheKey, (sp, _) => new MemoryCache(new MemoryCacheOptions
        {
            Clock = new TimeProviderClock(sp.GetRequiredService<TimeProvider>()),
            SizeLimit = cache.MaxEntries,
            CompactionPercentage = 0.1,
        }));

        if (redis.Configuration is not null)
        {
            services.AddSingleton<RedisConnection>();
            services.AddHostedService<RedisConnectionWarmup>();
            AddDataProtection(services, redis);
            builder
                .WithSerializer(sp => new FusionCacheSystemTextJsonSerializer(CredentialJson.Options(sp.GetRequiredService<ExchangeKinds>())))
                .WithDistributedCache(sp => new ProtectedDistributedCache(
                    new RedisCache(Options.Create(new RedisCacheOptions
                    {
                        ConnectionMultiplexerFactory = sp.GetRequiredService<RedisConnection>().GetAsync,
                    })),
                    sp.GetRequiredService<IDataProtectionProvider>(),
                    sp.GetRequiredService<KeyRingStatus>(),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<ProtectedDistributedCache>>()))
                .WithBackplane(sp => new RedisBackplane(
                    Options.Create(new RedisBackplaneOptions { ConnectionMultiplexerFactory = sp.GetRequiredService<RedisConnection>().GetAsync }),
                    sp.GetRequiredService<ILogger<RedisBackplane>>()))
                .WithDistributedLocker(sp =>
                {
                    var connection = sp.GetRequiredService<RedisConnection>();
                    var keyRing = sp.GetRequiredService<KeyRingStatus>();
                    return new ConnectionAwareDistributedLocker(
                        new RedisDistributedLocker(
                            Options.Create(new RedisDistributedLockerOptions { ConnectionMultiplexerFactory = connection.GetAsync }),
                            sp.GetRequiredService<ILogger<RedisDistributedLocker>>()),
                        () => connection.Multiplexer.IsConnected && keyRing.IsUsable(),
                        DistributedLockMaxHold(options.Delegation),
                        sp.GetRequiredService<TimeProvider>(),
                        sp.GetRequiredService<ILogger<ConnectionAwareDistributedLocker>>());
                });
        }

        services.AddSingleton<DelegationCache>();
        return services;
    }

    /// <summary>
    /// How long a replica waits for another replica's lock on a key before it exchanges itself: one
    /// attempt (<c>Delegation:Timeout</c>) and the pause before a retry. With its own attempt after it,
    /// that is the exchange budget, inside the request's deadline (budget + <see cref="DelegationCache.CacheAllowance"/>).
    /// The price: an exchange elsewhere that is still going after its first attempt is done twice.
    /// </summary>
    public static TimeSpan DistributedLockWait(DelegationSettings delegation) => delegation.ExchangeBudget - delegation.Timeout;

    /// <summary>The longest a replica holds a lock: longer than any exchange and its write to Redis may take.</summary>
    public static TimeSpan DistributedLockMaxHold(DelegationSettings delegation) =>
        delegation.ExchangeBudget + DelegationCache.CacheAllowance + TimeSpan.FromSeconds(1);

    private static void AddDataProtection(IServiceCollection services, RedisSettings redis)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);

        // Which decryptor every key of the ring must name: keys that do not were not written by a
        // replica (KeyRingEntryFilter leaves them out). Null: the operator allowed an unprotected ring.
        Type? decryptor = null;
        KeyEncryptionKey? keyEncryptionKey = null;
        if (redis.KeyRingCertificatePath is { } path && File.Exists(path))
        {
            dataProtection.ProtectKeysWithCertificate(X509CertificateLoader.LoadPkcs12FromFile(path, redis.KeyRingCertificatePassword));
            decryptor = typeof(EncryptedXmlDecryptor);
        }
        else if (redis.KeyRingKey is { } value && KeyEncryptionKey.IsValid(value))
        {
            // The decryptor is created by type name with the application's services and finds the key there.
            var key = KeyEncryptionKey.Parse(value);
            keyEncryptionKey = key;
            services.AddSingleton(key);
            services.AddOptions<KeyManagementOptions>().Configure(o => o.XmlEncryptor = new KeyRingKeyXmlEncryptor(key));
            decryptor = typeof(KeyRingKeyXmlDecryptor);
        }
        else
        {
            // Validation let this through only with AllowUnprotectedKeyRing: say so at every start.
            services.AddHostedService<UnprotectedKeyRingWarning>();
        }

        // The ring is read entry by entry: one bad entry (not XML, a key id twice, a planted key) costs
        // that entry, never the ring. Whatever still makes Data Protection fail shows in KeyRingStatus.
        services.AddSingleton(sp => new KeyRingEntryFilter(decryptor, sp.GetRequiredService<ILogger<KeyRingEntryFilter>>(), sp.GetRequiredService<TimeProvider>(), keyEncryptionKey));
        services.AddSingleton<KeyRingStatus>();
        services.AddSingleton(sp => new RedisKeyRingRepository(
            () => sp.GetRequiredService<RedisConnection>().Multiplexer.GetDatabase(), redis.KeyPrefix + "dataprotection-keys", sp.GetRequiredService<KeyRingEntryFilter>()));
        dataProtection.Services.AddOptions<KeyManagementOptions>()
            .Configure<RedisKeyRingRepository>((keyManagement, repository) => keyManagement.XmlRepository = repository);

        // Replicas stay on one ring: keys Redis lost are written back, and a ring that changed in Redis is read again.
        services.AddSingleton(sp => new RefreshableKeyManager(ActivatorUtilities.CreateInstance<XmlKeyManager>(sp)));
        services.AddSingleton<IKeyManager>(sp => sp.GetRequiredService<RefreshableKeyManager>());
        services.AddHostedService<KeyRingWatch>();
    }
}
