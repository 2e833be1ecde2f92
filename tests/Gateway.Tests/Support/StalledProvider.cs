using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Support;

/// <summary>
/// An identity provider that takes every request and answers none until released: then each held
/// request (and every later one) gets the answer the test chose. Counts the calls it receives.
/// </summary>
public sealed class StalledProvider : IAsyncDisposable
{
    private readonly TaskCompletionSource<(int Status, string Body)> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RunningApp? _app;
    private readonly System.Collections.Concurrent.ConcurrentQueue<long> _callTimes = new();
    private int _calls;

    public Uri Address => _app!.Address;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>When each call arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamps), for failure messages.</summary>
    public IReadOnlyList<long> CallTimes => [.. _callTimes];

    public static async Task<StalledProvider> StartAsync()
    {
        var provider = new StalledProvider();
        provider._app = await RunningApp.StartAsync(provider.Build, []);
        return provider;
    }

    /// <summary>Answers every held and later request with this status and JSON body.</summary>
    public void Release(int status, string body) => _release.TrySetResult((status, body));

    public async ValueTask DisposeAsync()
    {
        Release(StatusCodes.Status503ServiceUnavailable, "{}");
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private WebApplication Build(string[] args)
    {
        var app = WebApplication.CreateSlimBuilder(args).Build();
        app.Run(async context =>
        {
            Interlocked.Increment(ref _calls);
            _callTimes.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
            var (status, body) = await _release.Task.WaitAsync(context.RequestAborted);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body, context.RequestAborted);
        });
        return app;
    }
}
