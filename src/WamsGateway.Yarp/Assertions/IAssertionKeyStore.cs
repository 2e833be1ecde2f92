namespace WamsGateway.Assertions;

/// <summary>
/// Where the signing keys live, shared by every replica that shares the store: Redis (encrypted with
/// Data Protection), a file, or this process's memory. A slot names one period's key
/// (<see cref="AssertionKeySchedule.Slot"/>); its first writer wins, so every replica signs with the same key.
/// </summary>
internal interface IAssertionKeyStore
{
    /// <summary>The key kept in <paramref name="slot"/>, made with <paramref name="create"/> and kept there first when there is none yet.</summary>
    /// <param name="slot">The period's slot.</param>
    /// <param name="read">Reads a stored value; null when it is not a usable key (it is then replaced).</param>
    /// <param name="create">Makes a new key.</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    Task<AssertionKey> GetOrAddAsync(string slot, Func<byte[], AssertionKey?> read, Func<AssertionKey> create, CancellationToken cancellationToken);

    /// <summary>The key kept in <paramref name="slot"/>, or null; never makes one.</summary>
    Task<AssertionKey?> GetAsync(string slot, Func<byte[], AssertionKey?> read, CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="key"/> in <paramref name="slot"/>, whatever is there (<see cref="AssertionKeyRing"/> decides when).</summary>
    Task SetAsync(string slot, AssertionKey key, CancellationToken cancellationToken);
}

/// <summary>No Redis and no <c>KeyFile</c>: keys made in this process, for a single replica; a restart makes new ones.</summary>
internal sealed class MemoryAssertionKeyStore : IAssertionKeyStore
{
    private readonly Dictionary<string, AssertionKey> _keys = new(StringComparer.Ordinal);

    public Task<AssertionKey> GetOrAddAsync(string slot, Func<byte[], AssertionKey?> read, Func<AssertionKey> create, CancellationToken cancellationToken)
    {
        lock (_keys)
        {
            if (!_keys.TryGetValue(slot, out var key))
            {
                key = create();
                _keys[slot] = key;
            }

            return Task.FromResult(key);
        }
    }

    public Task<AssertionKey?> GetAsync(string slot, Func<byte[], AssertionKey?> read, CancellationToken cancellationToken)
    {
        lock (_keys)
        {
            return Task.FromResult(_keys.GetValueOrDefault(slot));
        }
    }

    public Task SetAsync(string slot, AssertionKey key, CancellationToken cancellationToken)
    {
        lock (_keys)
        {
            _keys[slot] = key;
        }

        return Task.CompletedTask;
    }
}
