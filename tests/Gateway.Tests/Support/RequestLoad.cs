using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Support;

/// <summary>One answer of a <see cref="RequestLoad"/>: when its request started and its answer ended (Stopwatch ticks), and its status.</summary>
public sealed record TimedAnswer(long Started, long Ended, HttpStatusCode Status);

/// <summary>
/// Several callers sending the same request over and over, as fast as the gateway answers, each answer kept with
/// when it started and ended, so a test can say what happened in which order while configuration changed underneath.
/// </summary>
public sealed class RequestLoad : IAsyncDisposable
{
    private readonly ConcurrentQueue<TimedAnswer> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _callers;

    private RequestLoad(RunningApp gateway, string path, string token, int callers)
    {
        _callers = [.. Enumerable.Range(0, callers).Select(_ => Task.Run(() => CallAsync(gateway.Client, path, token)))];
    }

    public static RequestLoad Start(RunningApp gateway, string path, string token, int callers = 6) => new(gateway, path, token, callers);

    public int Count(HttpStatusCode status) => _answers.Count(a => a.Status == status);

    /// <summary>Waits until the answers so far satisfy <paramref name="condition"/> (checked as answers arrive, bounded as <see cref="Eventually"/> is).</summary>
    public Task UntilAsync(Func<RequestLoad, bool> condition) =>
        Eventually.ReturnsAsync(() => Task.FromResult(this), condition);

    /// <summary>Stops every caller and returns every answer.</summary>
    public async Task<IReadOnlyList<TimedAnswer>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers);
        return [.. _answers];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task CallAsync(HttpClient client, string path, string token)
    {
        while (!_stop.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.SendAsync(request, _stop.Token);
                _answers.Enqueue(new TimedAnswer(started, Stopwatch.GetTimestamp(), response.StatusCode));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
