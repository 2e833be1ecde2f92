using System.Text.Json.Nodes;

namespace WamsGateway.Assertions;

/// <summary>
/// The keys of one period: the one that signs, the next one, the previous one while it is still
/// published, and any key this replica signed with earlier in the period before it adopted the fleet's.
/// </summary>
internal sealed class AssertionKeySet
{
    public AssertionKeySet(AssertionKeySchedule schedule, AssertionKey? previous, AssertionKey signing, AssertionKey next,
        IReadOnlyList<(AssertionKey Key, DateTimeOffset Until)> superseded, DateTimeOffset recheckAt)
    {
        Schedule = schedule;
        Previous = previous;
        Signing = signing;
        Next = next;
        Superseded = superseded;
        RecheckAt = recheckAt;
    }

    public AssertionKeySchedule Schedule { get; }

    public AssertionKey? Previous { get; }

    public AssertionKey Signing { get; }

    public AssertionKey Next { get; }

    /// <summary>Keys that signed in this period and no longer do, each published until its last assertion has expired.</summary>
    public IReadOnlyList<(AssertionKey Key, DateTimeOffset Until)> Superseded { get; }

    /// <summary>When the store is read again, so every replica converges on the key the store holds.</summary>
    public DateTimeOffset RecheckAt { get; }

    /// <summary>The JWKS document at <paramref name="now"/>: public keys only.</summary>
    public JsonObject Jwks(DateTimeOffset now)
    {
        var keys = new JsonArray();
        if (Previous is not null && Schedule.PublishesPrevious(Signing.Generation, now))
        {
            keys.Add(Previous.PublicJwk.DeepClone());
        }

        foreach (var (key, until) in Superseded)
        {
            if (now < until)
            {
                keys.Add(key.PublicJwk.DeepClone());
            }
        }

        keys.Add(Signing.PublicJwk.DeepClone());
        keys.Add(Next.PublicJwk.DeepClone());
        return new JsonObject { ["keys"] = keys };
    }
}
