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

    [Fact]
    public async Task CheckConfig_ValidFile_PrintsEachApiWithItsKindRoutesAndPolicies_NeverListensNorCallsTheAuthority_ExitsZero()
    {
        // The authority's port refuses every connection and the proxy's port is taken: neither is touched by a check.
        var config = GatewayConfig.Default($"http://127.0.0.1:{LoopbackPort.Closed()}/", new Uri("http://127.0.0.1:9/"));
        config["Gateway"]!["Apis"]!["echo-none"]!["RequiredScopes"] = new System.Text.Json.Nodes.JsonArray("read:echo");
        config["Gateway"]!["Apis"]!["echo-none"]!["AllowedClients"] = new System.Text.Json.Nodes.JsonArray("client-a");
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, stdout, stderr) = await RunAsync([$"--config={GatewayConfig.Write(config)}", "--check-config", $"--urls=http://127.0.0.1:{port}"]);

        Assert.True(exitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal("Configuration is valid: 2 API(s), 4 route(s), 1 authority (default).", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("API", StringComparison.Ordinal) && l.Contains("EXCHANGE", StringComparison.Ordinal) && l.Contains("ROUTES", StringComparison.Ordinal) && l.Contains("POLICIES", StringComparison.Ordinal));
        var none = Assert.Single(lines, l => l.StartsWith("echo-none ", StringComparison.Ordinal));
        Assert.Contains(" None ", none, StringComparison.Ordinal);
        Assert.Contains("none (/none/{**rest})", none, StringComparison.Ordinal);
        Assert.Contains("clients client-a; scopes read:echo", none, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("echo-pass ", StringComparison.Ordinal) && l.Contains(" Passthrough ", StringComparison.Ordinal) && l.Contains("pass (/pass/{**rest})", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("(no API)", StringComparison.Ordinal) && l.Contains("anon (/anon/{**rest}; authorization anonymous)", StringComparison.Ordinal));
        Assert.DoesNotContain("Now listening", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("metadata", stdout + stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CheckConfig_InvalidFile_PrintsStartUpsMessagesNamingEachKey_ExitsNonZero()
    {
        var config = GatewayConfig.Default("https://tenant.example.com/", new Uri("http://127.0.0.1:9/"));
        config["Gateway"]!["Apis"]!["echo-none"]!["Exchange"] = "Teleport";
        config["Gateway"]!["Shutdown"] = new System.Text.Json.Nodes.JsonObject { ["Timeout"] = "00:00:00" };

        var (exitCode, stdout, stderr) = await RunAsync([$"--config={GatewayConfig.Write(config)}", "--check-config"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("Gateway:Apis:echo-none:Exchange: 'Teleport' is not one of", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Shutdown:Timeout: more than 00:00:00", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Configuration is valid", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stderr)> RunGatewayAsync(string[] args, params (string Name, string Value)[] environment)
    {
        var (exitCode, _, stderr) = await RunAsync(["--urls=http://127.0.0.1:0", .. args], environment);
        return (exitCode, stderr);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, params (string Name, string Value)[] environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "WamsGateway.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--contentRoot={TempDirectory.Create("process-root")}");
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
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
