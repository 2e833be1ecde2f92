using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WamsGateway.Configuration;

/// <summary>Whether the last change of the <c>--config</c> file could be read, for the log and for readiness.</summary>
internal sealed partial class ConfigFileStatus : IHealthCheck
{
    private volatile string? _problem;

    /// <summary>Set once the host is built; problems before that are reported by start-up itself.</summary>
    public ILogger? Logger { get; set; }

    public void Failed(string problem)
    {
        _problem = problem;
        if (Logger is { } logger)
        {
            Log.Unreadable(logger, problem);
        }
    }

    public void Read() => _problem = null;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_problem is { } problem ? HealthCheckResult.Degraded(problem) : HealthCheckResult.Healthy("read"));

    private static partial class Log
    {
        [LoggerMessage(810, LogLevel.Error, "The configuration file changed but {Problem}.")]
        public static partial void Unreadable(ILogger logger, string problem);
    }
}
