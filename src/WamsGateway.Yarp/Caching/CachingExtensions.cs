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
    /// distributed lock so a key is exchanged once across the fleet. Its settings are read from the gateway's
    /// options when the cache is first built (start-only settings); only a key-ring certificate is read here.
    /// </summary>
    public static IServiceCollection AddGatewayCaching(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FusionCacheOptions>().Configure<IOptions<WamsGatewayOptions>>((cache, gateway) => Configure(cache, gateway.Value));
        var builder = services.AddFusionCache()
            .WithRegisteredOptions()
            .WithMemoryCache(sp => sp.GetRequiredKeyedService<IMemoryCache>(MemoryCacheKey))
            // FusionCache's standard locker keeps a semaphore per key for five minutes: memory per distinct caller.
            .WithMemoryLocker(_ => new KeyedMemoryLocker())
            .WithSerializer(sp => new FusionCacheSystemTextJsonSerializer(CredentialJson.Options(sp.GetRequiredService<ExchangeKinds>())))
            // Without Redis each factory gives nothing, and the cache is memory only.
            .WithDistributedCache(sp => WithRedis(sp, () => new ProtectedDistributedCache(
                new RedisCache(Options.Create(new RedisCacheOptions
                {
                    ConnectionMultiplexerFactory = sp.GetRequiredService<RedisConnection>().GetAsync,
                })),
                sp.GetRequiredService<IDataProtectionProvider>(),
                sp.GetRequiredService<KeyRingStatus>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ProtectedDistributedCache>>())))
            .WithBackplane(sp => WithRedis(sp, () => new RedisBackplane(
                Options.Create(new RedisBackplaneOptions { ConnectionMultiplexerFactory = sp.GetRequiredService<RedisConnection>().GetAsync }),
                sp.GetRequiredService<ILogger<RedisBackplane>>())))
            .WithDistributedLocker(sp => WithRedis(sp, () =>
            {
                var connection = sp.GetRequiredService<RedisConnection>();
                var keyRing = sp.GetRequiredService<KeyRingStatus>();
                return new ConnectionAwareDistributedLocker(
                    new RedisDistributedLocker(
                        Options.Create(new RedisDistributedLockerOptions { ConnectionMultiplexerFactory = connection.GetAsync }),
                        sp.GetRequiredService<ILogger<RedisDistributedLocker>>()),
                    () => connection.Multiplexer.IsConnected && keyRing.IsUsable(),
                    DistributedLockMaxHold(sp.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Delegation),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<ConnectionAwareDistributedLocker>>());
            }));
        builder.ThrowIfMissingDistributedCache = false;
        builder.ThrowIfMissingBackplane = false;
        builder.ThrowIfMissingDistributedLocker = false;
        services.AddKeyedSingleton<IMemoryCache>(MemoryCacheKey, (sp, _) => new MemoryCache(new MemoryCacheOptions
        {
            Clock = new TimeProviderClock(sp.GetRequiredService<TimeProvider>()),
            SizeLimit = sp.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Cache.MaxEntries,
            CompactionPercentage = 0.1,
        }));

        services.AddSingleton<RedisConnection>();
        services.AddHostedService<RedisConnectionWarmup>();
        AddDataProtection(services, configuration);
        services.AddSingleton<DelegationCache>();
        return services;
    }

    /// <summary>Whether <c>Gateway:Redis:Configuration</c> is set.</summary>
    public static bool HasRedis(IServiceProvider services) => services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Redis.Configuration is not null;

    private static T WithRedis<T>(IServiceProvider services, Func<T> create) where T : class => HasRedis(services) ? create() : null!;

    private static void Configure(FusionCacheOptions o, WamsGatewayOptions gateway)
    {
        var redis = gateway.Redis;
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

        var e = o.DefaultEntryOptions;
        // A credential is served only while it works: no fail-safe reuse of expired ones.
        e.IsFailSafeEnabled = false;
        e.Duration = TimeSpan.FromMinutes(1);
        e.Size = 1;
        e.EagerRefreshThreshold = gateway.Cache.EagerRefreshThreshold > 0 ? gateway.Cache.EagerRefreshThreshold : null;
        e.DistributedCacheHardTimeout = redis.OperationTimeout;
        // Writes complete before the answer, so the next request on another replica finds them.
        e.AllowBackgroundDistributedCacheOperations = false;
        e.AllowBackgroundBackplaneOperations = true;
        // A replica waits for another's exchange of the same key for one attempt and the retry's
        // pause, then exchanges itself: waiting and its own attempt fit in the request's deadline,
        // so a lock whose holder cannot finish costs a wait, never a 503.
        e.DistributedLockTimeout = DistributedLockWait(gateway.Delegation);
        // A value that decrypts but does not parse is a miss, never an error answer.
        e.ReThrowSerializationExceptions = false;
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

    /// <summary>
    /// With Redis, Data Protection keeps its key ring there, protected by <c>KeyRingKey</c> or the certificate, under
    /// the application name the replicas share; without, a host's own Data Protection is left as it is.
    /// </summary>
    private static void AddDataProtection(IServiceCollection services, IConfiguration configuration)
    {
        var dataProtection = services.AddDataProtection();
        services.AddOptions<DataProtectionOptions>().Configure<IOptions<WamsGatewayOptions>>((options, gateway) =>
        {
            if (gateway.Value.Redis.Configuration is not null)
            {
                options.ApplicationDiscriminator = ApplicationName;
            }
        });

        // Data Protection takes a decryption certificate only while services are registered: its path is the one
        // setting read here (validation reports a path that does not exist).
        var certificatePath = configuration[$"{nameof(WamsGatewayOptions.Redis)}:{nameof(RedisSettings.KeyRingCertificatePath)}"];
        if (configuration[$"{nameof(WamsGatewayOptions.Redis)}:{nameof(RedisSettings.Configuration)}"] is not null
            && certificatePath is not null && File.Exists(certificatePath))
        {
            dataProtection.ProtectKeysWithCertificate(X509CertificateLoader.LoadPkcs12FromFile(
                certificatePath, configuration[$"{nameof(WamsGatewayOptions.Redis)}:{nameof(RedisSettings.KeyRingCertificatePassword)}"]));
        }

        // The decryptor is created by type name with the application's services and finds the key there.
        services.AddSingleton(sp => KeyRingKey(sp) is { } value ? KeyEncryptionKey.Parse(value) : null!);
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((keyManagement, sp) =>
        {
            if (!HasRedis(sp))
            {
                return;
            }

            if (KeyRingKey(sp) is not null)
            {
                keyManagement.XmlEncryptor = new KeyRingKeyXmlEncryptor(sp.GetRequiredService<KeyEncryptionKey>());
            }

            keyManagement.XmlRepository = sp.GetRequiredService<RedisKeyRingRepository>();
        });
        services.AddHostedService<UnprotectedKeyRingWarning>();

        // The ring is read entry by entry: one bad entry (not XML, a key id twice, a planted key) costs
        // that entry, never the ring. Whatever still makes Data Protection fail shows in KeyRingStatus.
        // Which decryptor every key of the ring must name: keys that do not were not written by a
        // replica (KeyRingEntryFilter leaves them out). Null: the operator allowed an unprotected ring.
        services.AddSingleton(sp =>
        {
            var redis = sp.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Redis;
            var decryptor = redis.KeyRingCertificatePath is not null ? typeof(EncryptedXmlDecryptor)
                : redis.KeyRingKey is not null ? typeof(KeyRingKeyXmlDecryptor)
                : null;
            return new KeyRingEntryFilter(decryptor, sp.GetRequiredService<ILogger<KeyRingEntryFilter>>(), sp.GetRequiredService<TimeProvider>(),
                decryptor == typeof(KeyRingKeyXmlDecryptor) ? sp.GetRequiredService<KeyEncryptionKey>() : null);
        });
        services.AddSingleton<KeyRingStatus>();
        services.AddSingleton(sp => new RedisKeyRingRepository(
            () => sp.GetRequiredService<RedisConnection>().Multiplexer.GetDatabase(),
            sp.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Redis.KeyPrefix + "dataprotection-keys",
            sp.GetRequiredService<KeyRingEntryFilter>()));

        // Replicas stay on one ring: keys Redis lost are written back, and a ring that changed in Redis is read again.
        services.AddSingleton(sp => new RefreshableKeyManager(ActivatorUtilities.CreateInstance<XmlKeyManager>(sp)));
        services.AddSingleton<IKeyManager>(sp => sp.GetRequiredService<RefreshableKeyManager>());
        services.AddHostedService<KeyRingWatch>();
    }

    private static string? KeyRingKey(IServiceProvider services) =>
        services.GetRequiredService<IOptions<WamsGatewayOptions>>().Value.Redis.KeyRingKey is { } value && KeyEncryptionKey.IsValid(value) ? value : null;
}
