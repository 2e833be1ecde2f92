using Microsoft.AspNetCore.DataProtection;
using ZiggyCreatures.Caching.Fusion.Serialization;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace WamsGateway.Caching;

/// <summary>
/// What the cache writes to Redis: the entry as JSON, encrypted and authenticated with ASP.NET Core
/// Data Protection. The key ring lives in Redis under the gateway's application name, so every
/// replica reads what another wrote, and a dump of Redis values shows no credential.
/// </summary>
internal sealed class ProtectedCacheSerializer : IFusionCacheSerializer
{
    public const string Purpose = "WamsGateway.DelegationCache.v1";

    private readonly IDataProtector _protector;
    private readonly FusionCacheSystemTextJsonSerializer _json = new();

    public ProtectedCacheSerializer(IDataProtectionProvider provider)
    {
        _protector = provider.CreateProtector(Purpose);
    }

    public byte[] Serialize<T>(T? obj) => _protector.Protect(_json.Serialize(obj));

    public T? Deserialize<T>(byte[] data) => _json.Deserialize<T>(_protector.Unprotect(data));

    public ValueTask<byte[]> SerializeAsync<T>(T? obj, CancellationToken token = default) => ValueTask.FromResult(Serialize(obj));

    public ValueTask<T?> DeserializeAsync<T>(byte[] data, CancellationToken token = default) => ValueTask.FromResult(Deserialize<T>(data));
}
