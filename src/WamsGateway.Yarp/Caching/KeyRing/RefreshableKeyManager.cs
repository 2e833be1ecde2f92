using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace WamsGateway.Caching.KeyRing;

/// <summary>
/// Data Protection's key manager, with one more reason to re-read the ring: Data Protection keeps the ring it read until a
/// key of its own changes it or a day passes, and asks for a key it does not know only in its first minutes. A replica that
/// started while Redis had lost the ring, or one whose ring another replica changed, would otherwise keep a ring the others
/// do not share. <see cref="KeyRingWatch"/> calls <see cref="Refresh"/> when the ring in Redis is not the one last read;
/// the expiration token is what <see cref="IKeyManager.GetCacheExpirationToken"/> documents for such notifications.
/// </summary>
internal sealed class RefreshableKeyManager : IKeyManager, IDisposable
{
    private readonly IKeyManager _inner;
    private readonly Lock _gate = new();
    private CancellationTokenSource _refresh = new();
    private CancellationTokenSource? _linked;

    public RefreshableKeyManager(IKeyManager inner)
    {
        _inner = inner;
    }

    /// <summary>Makes Data Protection read the ring again before it next encrypts or decrypts.</summary>
    public void Refresh()
    {
        CancellationTokenSource previous;
        lock (_gate)
        {
            previous = _refresh;
            _refresh = new CancellationTokenSource();
        }

        previous.Cancel();
        previous.Dispose();
    }

    public CancellationToken GetCacheExpirationToken()
    {
        lock (_gate)
        {
            _linked?.Dispose();
            _linked = CancellationTokenSource.CreateLinkedTokenSource(_inner.GetCacheExpirationToken(), _refresh.Token);
            return _linked.Token;
        }
    }

    public IKey CreateNewKey(DateTimeOffset activationDate, DateTimeOffset expirationDate) => _inner.CreateNewKey(activationDate, expirationDate);

    public IReadOnlyCollection<IKey> GetAllKeys() => _inner.GetAllKeys();

    public void RevokeAllKeys(DateTimeOffset revocationDate, string? reason = null) => _inner.RevokeAllKeys(revocationDate, reason);

    public void RevokeKey(Guid keyId, string? reason = null) => _inner.RevokeKey(keyId, reason);

    public void Dispose()
    {
        lock (_gate)
        {
            _linked?.Dispose();
            _refresh.Dispose();
        }

        (_inner as IDisposable)?.Dispose();
    }
}
