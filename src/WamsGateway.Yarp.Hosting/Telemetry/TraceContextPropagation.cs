using System.Diagnostics;
using OpenTelemetry.Trace;

namespace WamsGateway.Observability;

/// <summary>
/// When no traces are exported: ASP.NET Core still starts an activity for each request (its trace
/// context, continued from the client's <c>traceparent</c> or new), which HttpClient propagates to the
/// backend, but nothing is recorded. The client's sampled flag is kept, so a backend that samples on
/// its parent decides as it would have without the gateway in between. Not when the host records
/// traces itself (an OpenTelemetry <c>TracerProvider</c> of its own): its sampler decides, and a client's
/// sampled flag must not make it record.
/// </summary>
internal sealed class TraceContextPropagation : IHostedService, IDisposable
{
    private readonly IServiceProvider _services;

    private const string HostingSource = "Microsoft.AspNetCore";

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == HostingSource,
        Sample = static (ref ActivityCreationOptions<ActivityContext> options) =>
            (options.Parent.TraceFlags & ActivityTraceFlags.Recorded) != 0
                ? ActivitySamplingResult.AllDataAndRecorded
                : ActivitySamplingResult.PropagationData,
    };

    public TraceContextPropagation(IServiceProvider services)
    {
        _services = services;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_services.GetService<TracerProvider>() is not null)
        {
            return Task.CompletedTask;
        }

        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
