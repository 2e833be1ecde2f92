using System.Text.Json;
using Microsoft.Extensions.Configuration.Json;

namespace WamsGateway.Configuration;

/// <summary>
/// <c>--config &lt;path&gt;</c> or <c>GATEWAY_CONFIG</c>: one more JSON file over appsettings.json and
/// under environment variables and the command line.
/// </summary>
internal static class GatewayConfigFile
{
    public const string EnvironmentVariable = "GATEWAY_CONFIG";

    /// <summary>.NET's own switch (environment, or <c>--DOTNET_USE_POLLING_FILE_WATCHER=true</c>): poll the file instead of watching it.</summary>
    public const string PollingVariable = "DOTNET_USE_POLLING_FILE_WATCHER";

    /// <returns>The file's status for readiness, or null without a file.</returns>
    public static ConfigFileStatus? Add(ConfigurationManager configuration, string[] args)
    {
        var (path, origin) = Find(args);
        if (path is null)
        {
            return null;
        }

        var status = new ConfigFileStatus();

        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new GatewayConfigurationException($"Configuration file '{fullPath}' (from {origin}) was not found.");
        }

        try
        {
            using var stream = File.OpenRead(fullPath);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new GatewayConfigurationException($"Configuration file '{fullPath}' (from {origin}) must hold a JSON object.");
            }
        }
        catch (JsonException ex)
        {
            throw new GatewayConfigurationException(
                $"Configuration file '{fullPath}' (from {origin}) is not valid JSON: line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}.");
        }
        catch (IOException ex)
        {
            throw new GatewayConfigurationException($"Configuration file '{fullPath}' (from {origin}) cannot be read: {ex.Message}");
        }

        var reload = !string.Equals(configuration["hostBuilder:reloadConfigOnChange"], "false", StringComparison.OrdinalIgnoreCase);
        var poll = string.Equals(configuration[PollingVariable], "true", StringComparison.OrdinalIgnoreCase) || configuration[PollingVariable] == "1";
        var source = new ConfigFileSource(fullPath, reload, poll, status);

        // Just above the last JSON source (appsettings.{Environment}.json or user secrets), so that
        // environment variables and the command line still win.
        var sources = configuration.Sources;
        var index = sources.Count;
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                index = i + 1;
                break;
            }
        }

        sources.Insert(index, source);
        return status;
    }

    private static (string? Path, string Origin) Find(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--config" or "/config")
            {
                if (i + 1 >= args.Length || string.IsNullOrWhiteSpace(args[i + 1]))
                {
                    throw new GatewayConfigurationException("--config: give the path of a JSON file.");
                }

                return (args[i + 1], "--config");
            }

            if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                return (arg["--config=".Length..], "--config");
            }
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? (null, string.Empty) : (fromEnvironment, EnvironmentVariable);
    }
}
