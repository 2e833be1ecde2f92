namespace WamsGateway.Caching;

/// <summary>
/// Connects to Redis as the gateway starts, off the start-up path: the first request does not pay for the
/// connection, and <c>wamsgateway_redis_connected</c> reports from the first scrape on.
/// </summary>
internal sealed class RedisConnectionWarmup : BackgroundService
{
    private readonly RedisConnection _connection;

    public RedisConnectionWarmup(RedisConnection connection)
    {
        _connection = connection;
    }

    // Connecting never throws (AbortOnConnectFail is off); it may wait for its connect timeout.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => _connection.Multiplexer, stoppingToken);
}
