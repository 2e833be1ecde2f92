namespace WamsGateway.Caching;

/// <summary>
/// Connects to Redis as the gateway starts, off the start-up path: the first request does not pay for the
/// connection, and <c>wamsgateway_redis_connected</c> reports from the first scrape on.
/// </summary>
internal sealed class RedisConnectionWarmup : BackgroundService
{
    private readonly IServiceProvider _services;

    public RedisConnectionWarmup(IServiceProvider services)
    {
        _services = services;
    }

    // Connecting never throws (AbortOnConnectFail is off); it may wait for its connect timeout. Without Redis, nothing to do.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        CachingExtensions.HasRedis(_services) ? Task.Run(() => _services.GetRequiredService<RedisConnection>().Multiplexer, stoppingToken) : Task.CompletedTask;
}
