namespace WamsGateway.Caching.KeyRing;

/// <summary>One Warning at start when the operator chose <c>Gateway:Redis:AllowUnprotectedKeyRing</c>.</summary>
internal sealed partial class UnprotectedKeyRingWarning : IHostedService
{
    private readonly ILogger<UnprotectedKeyRingWarning> _logger;

    public UnprotectedKeyRingWarning(ILogger<UnprotectedKeyRingWarning> logger)
    {
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Unprotected(_logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(420, LogLevel.Warning, "The Data Protection key ring in Redis is not protected (Gateway:Redis:AllowUnprotectedKeyRing is true): whoever can read Redis can decrypt every cached credential. Set Gateway:Redis:KeyRingKey or KeyRingCertificatePath.")]
        public static partial void Unprotected(ILogger logger);
    }
}
