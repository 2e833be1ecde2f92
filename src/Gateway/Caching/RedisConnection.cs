using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WamsGateway.Configuration;

namespace WamsGateway.Caching;

/// <summary>
/// The one Redis connection the cache, its backplane, its distributed locker and the Data
/// Protection key ring share. It never aborts on a failed connect: the gateway starts and serves
/// with Redis down, and the multiplexer reconnects on its own when Redis is back.
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    public RedisConnection(IOptions<GatewayOptions> options)
    {
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
            return ConnectionMultiplexer.Connect(configuration);
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
}
