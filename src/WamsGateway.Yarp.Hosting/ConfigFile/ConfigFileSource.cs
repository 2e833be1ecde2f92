using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace WamsGateway.Configuration;

/// <summary>The <c>--config</c> file as a configuration source that never loses what it had.</summary>
internal sealed class ConfigFileSource(string path, bool reloadOnChange, bool poll, ConfigFileStatus status) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ConfigFileProvider(path, reloadOnChange, poll, status);
}

/// <summary>
/// Reads the <c>--config</c> JSON file, and again whenever it changes. Unlike .NET's JSON file provider,
/// a change that cannot be read (the file deleted, half written, not JSON) keeps the last good contents
/// and raises no reload, so YARP's routes and the gateway's APIs stay as they were; the problem is logged
/// and readiness reports <c>configuration-file</c> Degraded until the file reads again.
/// </summary>
internal sealed class ConfigFileProvider : ConfigurationProvider, IDisposable
{
    private readonly string _path;
    private readonly ConfigFileStatus _status;
    private readonly PhysicalFileProvider _files;
    private readonly IDisposable? _watch;

    public ConfigFileProvider(string path, bool reloadOnChange, bool poll, ConfigFileStatus status)
    {
        _path = path;
        _status = status;
        _files = new PhysicalFileProvider(Path.GetDirectoryName(path)!);
        if (poll)
        {
            // Kubernetes swaps a mounted ConfigMap by re-pointing a symlink, which file-system events
            // miss; polling reads the link's target's time (every 4 s) and sees the swap.
            _files.UsePollingFileWatcher = true;
            _files.UseActivePolling = true;
        }

        if (reloadOnChange)
        {
            _watch = ChangeToken.OnChange(() => _files.Watch(Path.GetFileName(path)), Changed);
        }
    }

    public override void Load() => Data = Read();

    public void Dispose()
    {
        _watch?.Dispose();
        _files.Dispose();
    }

    /// <summary>
    /// A file written in more than one step may be read half written: that read fails and keeps the last
    /// good contents, and the write that completes it is a change of its own, read in turn.
    /// </summary>
    private void Changed()
    {
        Dictionary<string, string?> data;
        try
        {
            data = Read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException or InvalidDataException)
        {
            _status.Failed($"'{_path}' cannot be read ({ex.GetType().Name}); the last good configuration keeps serving");
            return;
        }

        _status.Read();
        if (!Same(data, Data))
        {
            Data = data;
            OnReload();
        }
    }

    private Dictionary<string, string?> Read()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var json = new ConfigurationBuilder().AddJsonStream(stream).Build();
        // An empty section ("Assertion": {}) or a null stays as a key without a value: it was written, not left out.
        var all = json.AsEnumerable().ToList();
        var parents = all.Select(kv => ConfigurationPath.GetParentPath(kv.Key)).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return all.Where(kv => kv.Value is not null || !parents.Contains(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
    }

    private static bool Same(Dictionary<string, string?> a, IDictionary<string, string?> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var value) && value == kv.Value);
}
