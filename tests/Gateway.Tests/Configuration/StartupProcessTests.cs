using System.Diagnostics;
using WamsGateway.Tests.Support;
using WamsGateway.TestSupport;

namespace WamsGateway.Tests.Configuration;

/// <summary>The published entry point: a bad configuration ends the process with a clear message and a non-zero code.</summary>
public sealed class StartupProcessTests
{
    [Fact]
    public async Task Process_GatewayConfigVariableNamesMissingFile_ExitsWithMessage()
    {
        var missing = Path.Combine(TempDirectory.Create("process"), "absent.json");

        var (exitCode, stderr) = await RunGatewayAsync([], ("GATEWAY_CONFIG", missing));

        Assert.Equal(2, exitCode);
        Assert.Contains($"Configuration file '{missing}' (from GATEWAY_CONFIG) was not found.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_InvalidConfiguration_ListsProblemsAndExits()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", new Uri("http://127.0.0.1:9/"));
        config["Gateway"]!["Apis"]!["echo-none"]!["Exchange"] = "Teleport";

        var (exitCode, stderr) = await RunGatewayAsync([$"--config={GatewayConfig.Write(config)}"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("Gateway:Apis:echo-none:Exchange: 'Teleport' is not one of", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stderr)> RunGatewayAsync(string[] args, params (string Name, string Value)[] environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "WamsGateway.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--contentRoot={TempDirectory.Create("process-root")}");
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stderr);
    }
}
