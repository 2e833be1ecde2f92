using Microsoft.Extensions.Options;
using WamsGateway.Configuration;

namespace WamsGateway.Shutdown;

/// <summary>
/// Holds the host's stop for <see cref="ShutdownSettings.DrainDelay"/> before any service stops: the host has already
/// signalled <c>ApplicationStopping</c> (readiness 503), and the server keeps accepting and serving until the delay is
/// over. Then the server stops as it always does: no new connections, requests in flight finish within what is left
/// of the host's shutdown timeout (<see cref="ShutdownSettings.Total"/>, set by <see cref="ShutdownExtensions"/>).
/// </summary>
internal sealed partial class DrainOnShutdown : IHostedLifecycleService
{
    private readonly ShutdownSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<DrainOnShutdown> _logger;

    public DrainOnShutdown(IOptions<WamsGatewayOptions> options, TimeProvider time, ILogger<DrainOnShutdown> logger)
    {
        _settings = options.Value.Shutdown;
        _time = time;
        _logger = logger;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Log.Draining(_logger, _settings.DrainDelay.TotalSeconds, _settings.Timeout.TotalSeconds);
        if (_settings.DrainDelay <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(_settings.DrainDelay, _time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's own shutdown timeout ran out first (a host that set it shorter): stop now.
        }

        Log.Closing(_logger);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(910, LogLevel.Information, "Stopping: readiness answers 503 from now on; serving every request for {DrainDelay} s more, then in-flight requests have {Timeout} s to finish.")]
        public static partial void Draining(ILogger logger, double drainDelay, double timeout);

        [LoggerMessage(911, LogLevel.Information, "Drain delay over: no longer accepting connections; waiting for requests in flight.")]
        public static partial void Closing(ILogger logger);
    }
}
