using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Support;

/// <summary>A backend that answers 200 to anything and records what it received.</summary>
public sealed class RecordingBackend : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private RunningApp? _app;

    public Uri Address => _app!.Address;

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public static async Task<RecordingBackend> StartAsync()
    {
        var backend = new RecordingBackend();
        backend._app = await RunningApp.StartAsync(backend.Build, []);
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private WebApplication Build(string[] args)
    {
        var app = WebApplication.CreateSlimBuilder(args).Build();
        app.Run(context =>
        {
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? string.Empty).ToArray(), StringComparer.OrdinalIgnoreCase);
            _requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers));

            // /status/404 and the like answer that status with an empty body, as some backends do.
            var segments = context.Request.Path.Value!.Split('/');
            var statusIndex = Array.IndexOf(segments, "status");
            if (statusIndex >= 0 && statusIndex + 1 < segments.Length && int.TryParse(segments[statusIndex + 1], out var status))
            {
                context.Response.StatusCode = status;
                return Task.CompletedTask;
            }

            return context.Response.WriteAsJsonAsync(new { received = true });
        });
        return app;
    }
}

public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string[]> Headers)
{
    public string[] Header(string name) => Headers.TryGetValue(name, out var values) ? values : [];
}
