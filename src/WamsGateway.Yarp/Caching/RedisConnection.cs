using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WamsGateway.Configuration;
using WamsGateway.Observability;

namespace WamsGateway.Caching;

/// <summary>
/// The one Redis connection the cache, its backplane, its distributed locker and the Data
/// Protection key ring share. It never aborts on a failed connect: the gateway starts and serves
/// with Redis down, and the multiplexer reconnects on its own when Redis is back.
/// </summary>
internal sealed partial class RedisConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;
    private readonly ILogger<RedisConnection> _logger;
    private int _down;

    public RedisConnection(IOptions<WamsGatewayOptions> options, GatewayMeter meter, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        meter.ObserveRedis(() => Multiplexer.IsConnected);
        var settings = options.Value.Redis;
        _multiplexer = new Lazy<ConnectionMultiplexer>(() =>
        {
            var configuration = ConfigurationOptions.Parse(settings.Configuration!);
            configuration.AbortOnConnectFail = false;
            configuration.ClientName ??= "wamsgateway";
            configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 2000);
            configuration.ConnectRetry = Math.Max(configuration.ConnectRetry, 1);
            // While disconnected, commands fail at once instead of queueing: the cache then goes on
            // without Redis rather than holding requests until the connection is back.
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            var multiplexer = ConnectionMultiplexer.Connect(configuration);
            // One line when Redis goes away and one when it is back, however many retries between.
            multiplexer.ConnectionFailed += (_, e) =>
            {
                if (Interlocked.Exchange(ref _down, 1) == 0)
                {
                    Log.Lost(_logger, e.FailureType.ToString());
                }
            };
            multiplexer.ConnectionRestored += (_, _) =>
            {
                if (Interlocked.Exchange(ref _down, 0) == 1)
                {
                    Log.Restored(_logger);
                }
            };
            return multiplexer;
        });
    }

    public ConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public Task<IConnectionMultiplexer> GetAsync() => Task.FromResult<IConnectionMultiplexer>(Multiplexer);

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(400, LogLevel.Warning, "Redis is unreachable ({FailureType}); serving from the in-process cache and exchanging directly until it is back.")]
        public static partial void Lost(ILogger logger, string failureType);

        [LoggerMessage(401, LogLevel.Information, "Redis is reachable again; the cache is shared across replicas again.")]
        public static partial void Restored(ILogger logger);
    }
}
