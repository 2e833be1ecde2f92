using System.Text.Json;

namespace WamsGateway.Assertions;

/// <summary>
/// <c>Gateway:Assertion:KeyFile</c>, without Redis: the keys kept in one JSON file readable by the gateway's
/// user only (mode 0600), written whole through a temporary file so a crash never leaves half a file.
/// The private keys are in it in clear, as a TLS key file holds its key: keep it on a volume and in a
/// secret store of its own. Periods no longer published are dropped from it as new ones are added.
/// </summary>
internal sealed partial class FileAssertionKeyStore : IAssertionKeyStore, IDisposable
{
    private readonly string _path;
    private readonly ILogger<FileAssertionKeyStore> _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public FileAssertionKeyStore(string path, ILogger<FileAssertionKeyStore> logger)
    {
        _path = Path.GetFullPath(path);
        _logger = logger;
    }

    public async Task<AssertionKey> GetOrAddAsync(string slot, Func<byte[], AssertionKey?> read, Func<AssertionKey> create, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var keys = await ReadAsync(cancellationToken);
            if (keys.TryGetValue(slot, out var stored) && read(stored) is { } key)
            {
                return key;
            }

            if (stored is not null)
            {
                Log.Unreadable(_logger, slot, _path);
            }

            key = create();
            keys[slot] = key.Material;
            await WriteAsync(Prune(keys, slot), cancellationToken);
            return key;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task SetAsync(string slot, AssertionKey key, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var keys = await ReadAsync(cancellationToken);
            keys[slot] = key.Material;
            await WriteAsync(Prune(keys, slot), cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<AssertionKey?> GetAsync(string slot, Func<byte[], AssertionKey?> read, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            return (await ReadAsync(cancellationToken)).TryGetValue(slot, out var stored) ? read(stored) : null;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<Dictionary<string, byte[]>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_path))
        {
            return new(StringComparer.Ordinal);
        }

        try
        {
            await using var file = File.OpenRead(_path);
            return await JsonSerializer.DeserializeAsync<Dictionary<string, byte[]>>(file, cancellationToken: cancellationToken)
                ?? new(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            // Never overwritten silently: a file that is not ours may hold someone's keys.
            throw new InvalidOperationException($"Gateway:Assertion:KeyFile '{_path}' is not a key file the gateway wrote; move it away or point KeyFile elsewhere.");
        }
    }

    private async Task WriteAsync(Dictionary<string, byte[]> keys, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temporary = _path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(temporary, options))
        {
            await JsonSerializer.SerializeAsync(file, keys, cancellationToken: cancellationToken);
        }

        File.Move(temporary, _path, overwrite: true);
    }

    /// <summary>Keeps the newest four periods of the slot's algorithm and lifetime (previous, current, next and one spare).</summary>
    private static Dictionary<string, byte[]> Prune(Dictionary<string, byte[]> keys, string slot)
    {
        var family = slot[..(slot.LastIndexOf('.') + 1)];
        var stale = keys.Keys.Where(k => k.StartsWith(family, StringComparison.Ordinal))
            .OrderByDescending(k => long.TryParse(k[family.Length..], out var g) ? g : long.MinValue)
            .Skip(4)
            .ToList();
        foreach (var old in stale)
        {
            keys.Remove(old);
        }

        return keys;
    }

    public void Dispose() => _lock.Dispose();

    private static partial class Log
    {
        [LoggerMessage(610, LogLevel.Warning, "The assertion key {Slot} in {Path} is not a usable key; a new one replaces it.")]
        public static partial void Unreadable(ILogger logger, string slot, string path);
    }
}
