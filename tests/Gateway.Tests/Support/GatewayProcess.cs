using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Support;

/// <summary>
/// The published gateway (WamsGateway.dll) as a process of its own, as an orchestrator runs it: for what only a
/// process shows (signals, exit codes, what it writes to the console).
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The first address it listens on, with a trailing slash.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Every line written to standard output so far.</summary>
    public IReadOnlyList<string> Output => [.. _stdout];

    /// <summary>Every line written to standard error so far.</summary>
    public IReadOnlyList<string> Errors => [.. _stderr];

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the gateway on a free loopback port and waits until it listens (Microsoft.Hosting.Lifetime logs at Information).</summary>
    public static async Task<GatewayProcess> StartAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "WamsGateway.dll"));
        start.ArgumentList.Add($"--contentRoot={TempDirectory.Create("process-root")}");
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        start.ArgumentList.Add("--hostBuilder:reloadConfigOnChange=false");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var gateway = new GatewayProcess(new Process { StartInfo = start });
        gateway._process.OutputDataReceived += (_, e) => gateway.Received(gateway._stdout, e.Data);
        gateway._process.ErrorDataReceived += (_, e) => gateway.Received(gateway._stderr, e.Data);
        gateway._process.Start();
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();

        var exited = gateway._process.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var first = await Task.WhenAny(gateway._listening.Task, exited).WaitAsync(timeout.Token);
        if (first != gateway._listening.Task)
        {
            throw new InvalidOperationException($"The gateway exited with {gateway._process.ExitCode} before listening:\n{string.Join('\n', gateway.Errors.Concat(gateway.Output))}");
        }

        gateway.Address = await gateway._listening.Task;
        return gateway;
    }

    /// <summary>SIGTERM, as Kubernetes sends it (Process.Kill sends SIGKILL).</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} exited with {kill.ExitCode}.");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Received(ConcurrentQueue<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lines.Enqueue(line);
        if (!_listening.Task.IsCompleted && ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
        }
    }

    // Kestrel's "Now listening on: http://127.0.0.1:41234", in the simple and the JSON console format alike.
    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex ListeningOn();
}
