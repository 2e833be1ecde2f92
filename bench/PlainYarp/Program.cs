// The baseline the gateway is measured against: YARP (the same Yarp.ReverseProxy version), one
// catch-all route to one destination, no logging. With --otel, the gateway's OpenTelemetry setup is
// added and nothing else, to price telemetry apart from the gateway.
//   dotnet PlainYarp.dll --urls http://127.0.0.1:5302 --backend http://127.0.0.1:5301/ [--otel]
using Yarp.ReverseProxy.Configuration;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var backend = builder.Configuration["backend"] ?? throw new InvalidOperationException("--backend <url> is required.");
if (args.Contains("--otel"))
{
    builder.AddWamsGatewayTelemetry();
}

builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "{**rest}" } }],
    [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = backend } } }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
