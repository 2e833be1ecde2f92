using WamsGateway;
using WamsGateway.Configuration;

// --check-config: validate exactly as start-up does, print what the configuration does, and exit without listening.
const string CheckConfig = "--check-config";
var checkOnly = args.Contains(CheckConfig, StringComparer.Ordinal);
args = [.. args.Where(arg => arg != CheckConfig)];
if (checkOnly)
{
    // The table alone on standard output; whatever start-up logs goes to standard error.
    args = ["--Logging:Console:LogToStandardErrorThreshold=Trace", .. args];
}

try
{
    var app = GatewayApp.Build(args);
    if (checkOnly)
    {
        app.Services.WriteWamsGatewayConfigurationSummary(Console.Out);
        await app.DisposeAsync();
        return 0;
    }

    await app.RunAsync();
    return 0;
}
catch (GatewayConfigurationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
catch (InvalidOperationException ex) when (ex.InnerException is AggregateException proxyErrors)
{
    // YARP rejects routes and clusters it cannot load; say each problem on its own line.
    await Console.Error.WriteLineAsync(ex.Message);
    foreach (var error in proxyErrors.InnerExceptions)
    {
        await Console.Error.WriteLineAsync("  " + error.Message);
    }

    return 2;
}
