namespace WamsGateway.Configuration;

/// <summary>Gives the <c>--config</c> file's status a logger once the host has one, so a change it cannot read is logged.</summary>
internal sealed class ConfigFileLogging : IHostedService
{
    public ConfigFileLogging(ConfigFileStatus status, ILogger<ConfigFileStatus> logger)
    {
        status.Logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
