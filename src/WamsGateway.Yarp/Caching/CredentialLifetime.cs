namespace WamsGateway.Caching;

/// <summary>
/// How long a delegated credential may be served from the cache: until the earlier of its own
/// expiry and the caller token's expiry, less a safety margin. Zero or less means: do not cache.
/// </summary>
internal static class CredentialLifetime
{
    public static TimeSpan For(DateTimeOffset credentialExpiresAt, DateTimeOffset subjectExpiresAt, TimeSpan margin, DateTimeOffset now)
    {
        var end = credentialExpiresAt < subjectExpiresAt ? credentialExpiresAt : subjectExpiresAt;
        return end - margin - now;
    }
}
