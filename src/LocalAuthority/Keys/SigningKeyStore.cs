using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace LocalAuthority.Keys;

/// <summary>
/// RS256 keys kept in a file (PKCS#8 PEM, owner-only permissions). The newest key signs; the
/// previous ones stay published in the JWKS so tokens they signed keep validating after a rotation.
/// </summary>
public sealed class SigningKeyStore : IDisposable
{
    private const int KeysKept = 3;

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private List<StoredKey> _keys;

    public SigningKeyStore(IOptions<LocalAuthorityOptions> options, TimeProvider time)
    {
        _path = Path.GetFullPath(options.Value.KeyFile);
        _time = time;
        _keys = Load(_path);
        if (_keys.Count == 0)
        {
            _keys = [Create(time)];
            Save();
        }
    }

    public RsaSecurityKey Active
    {
        get
        {
            lock (_lock)
            {
                return _keys[0].Key;
            }
        }
    }

    public IReadOnlyList<RsaSecurityKey> Published
    {
        get
        {
            lock (_lock)
            {
                return _keys.Select(k => k.Key).ToArray();
            }
        }
    }

    /// <summary>Makes a new key the signing key; returns its kid.</summary>
    public string Rotate()
    {
        lock (_lock)
        {
            var retired = _keys.Skip(KeysKept - 1).ToList();
            _keys = [Create(_time), .. _keys.Take(KeysKept - 1)];
            Save();
            foreach (var key in retired)
            {
                key.Key.Rsa.Dispose();
            }

            return _keys[0].Key.KeyId;
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Key.Rsa.Dispose();
        }
    }

    private static StoredKey Create(TimeProvider time)
    {
        var rsa = RSA.Create(2048);
        var kid = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
        return new StoredKey(new RsaSecurityKey(rsa) { KeyId = kid }, time.GetUtcNow());
    }

    private static List<StoredKey> Load(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var file = JsonSerializer.Deserialize<KeyFile>(File.ReadAllText(path)) ?? new KeyFile([]);
        return file.Keys.Select(k =>
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(k.Pem);
            return new StoredKey(new RsaSecurityKey(rsa) { KeyId = k.Kid }, k.Created);
        }).ToList();
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var file = new KeyFile(_keys.Select(k => new KeyEntry(k.Key.KeyId, k.Created, k.Key.Rsa.ExportPkcs8PrivateKeyPem())).ToList());
        var temporary = _path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(file));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, _path, overwrite: true);
    }

    private sealed record StoredKey(RsaSecurityKey Key, DateTimeOffset Created);

    private sealed record KeyFile(List<KeyEntry> Keys);

    private sealed record KeyEntry(string Kid, DateTimeOffset Created, string Pem);
}
