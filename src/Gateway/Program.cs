using WamsGateway;
using WamsGateway.Configuration;

try
{
    var app = GatewayApp.Build(args);
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
