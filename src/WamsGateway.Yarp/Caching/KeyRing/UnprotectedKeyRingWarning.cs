namespace WamsGateway.Caching.KeyRing;

/// <summary>One Warning at start when the operator chose <c>Gateway:Redis:AllowUnprotectedKeyRing</c> and set no protection.</summary>
internal sealed partial class UnprotectedKeyRingWarning : IHostedService
{
    private readonly Configuration.RedisSettings _redis;
    private readonly ILogger<UnprotectedKeyRingWarning> _logger;

    public UnprotectedKeyRingWarning(Microsoft.Extensions.Options.IOptions<Configuration.WamsGatewayOptions> options, ILogger<UnprotectedKeyRingWarning> logger)
    {
        _redis = options.Value.Redis;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Validation lets a ring in Redis without a KeyRingKey or certificate through only with AllowUnprotectedKeyRing.
        if (_redis.Configuration is not null && _redis.KeyRingKey is null && _redis.KeyRingCertificatePath is null)
        {
            Log.Unprotected(_logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(420, LogLevel.Warning, "The Data Protection key ring in Redis is not protected (Gateway:Redis:AllowUnprotectedKeyRing is true): whoever can read Redis can decrypt every cached credential. Set Gateway:Redis:KeyRingKey or KeyRingCertificatePath.")]
        public static partial void Unprotected(ILogger logger);
    }
}
