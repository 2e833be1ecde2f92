namespace WamsGateway.TrafficPolicy;

/// <summary>What a rate limit counts by: always claims of the validated token (or the client's address), never a header the client chose.</summary>
public enum RateLimitPartitionBy
{
    /// <summary>The token's <c>sub</c>.</summary>
    User,

    /// <summary>The calling application: <c>azp</c>, else <c>client_id</c>.</summary>
    Client,

    /// <summary>Each user within each client application.</summary>
    UserAndClient,

    /// <summary>The connection's remote address (after the host's forwarded-headers handling, if any).</summary>
    IpAddress,
}

/// <summary>The algorithms of <c>System.Threading.RateLimiting</c>.</summary>
public enum RateLimitAlgorithm
{
    /// <summary><see cref="RateLimitSettings.PermitLimit"/> requests per <see cref="RateLimitSettings.Window"/>, counted afresh each window.</summary>
    FixedWindow,

    /// <summary>As <see cref="FixedWindow"/>, the window moving in <see cref="RateLimitSettings.SegmentsPerWindow"/> steps.</summary>
    SlidingWindow,

    /// <summary>A bucket of <see cref="RateLimitSettings.PermitLimit"/> tokens, refilled by <see cref="RateLimitSettings.TokensPerPeriod"/> each <see cref="RateLimitSettings.ReplenishmentPeriod"/>.</summary>
    TokenBucket,

    /// <summary>At most <see cref="RateLimitSettings.PermitLimit"/> requests at once.</summary>
    Concurrency,
}

/// <summary>Where a limit is counted.</summary>
public enum RateLimitScope
{
    /// <summary>In this process: each replica allows the limit.</summary>
    Replica,

    /// <summary>In Redis, across every replica sharing it: the fleet together allows the limit.</summary>
    Fleet,
}

/// <summary>One named rate limit, <c>Gateway:RateLimits:&lt;name&gt;</c>; read at start.</summary>
public sealed class RateLimitSettings
{
    /// <summary>What the limit counts by; each user by default.</summary>
    public RateLimitPartitionBy PartitionBy { get; set; } = RateLimitPartitionBy.User;

    /// <summary>How it counts; a fixed window by default.</summary>
    public RateLimitAlgorithm Algorithm { get; set; } = RateLimitAlgorithm.FixedWindow;

    /// <summary>Requests per window (FixedWindow, SlidingWindow), tokens in the bucket (TokenBucket), requests at once (Concurrency).</summary>
    public int PermitLimit { get; set; }

    /// <summary>FixedWindow and SlidingWindow: the window.</summary>
    public TimeSpan? Window { get; set; }

    /// <summary>SlidingWindow: how many segments the window slides by (in process; Redis slides continuously).</summary>
    public int SegmentsPerWindow { get; set; } = 6;

    /// <summary>TokenBucket: tokens added per period.</summary>
    public int? TokensPerPeriod { get; set; }

    /// <summary>TokenBucket: the period.</summary>
    public TimeSpan? ReplenishmentPeriod { get; set; }

    /// <summary>Replica (default), or Fleet: counted in Redis (needs <c>Gateway:Redis:Configuration</c>).</summary>
    public RateLimitScope Scope { get; set; } = RateLimitScope.Replica;

    /// <summary>
    /// Fleet, FixedWindow: count in process and settle with Redis at this interval instead of one round trip per
    /// request. Unset: every request is counted in Redis, exactly. Set: the fleet may admit more than the limit by
    /// what the replicas admit in one interval.
    /// </summary>
    public TimeSpan? SyncInterval { get; set; }

    /// <summary>The window a client is told about (<c>RateLimit-Policy</c>'s <c>w</c>, the longest <c>Retry-After</c>).</summary>
    public TimeSpan ResetInterval => Algorithm switch
    {
        RateLimitAlgorithm.TokenBucket => ReplenishmentPeriod ?? TimeSpan.FromSeconds(1),
        RateLimitAlgorithm.Concurrency => TimeSpan.FromSeconds(1),
        _ => Window ?? TimeSpan.FromSeconds(1),
    };
}

/// <summary>One named CORS policy, <c>Gateway:Cors:&lt;name&gt;</c>; read at start.</summary>
public sealed class CorsSettings
{
    /// <summary>Allowed origins, exactly (scheme, host and port); <c>*</c> for any, never with <see cref="Credentials"/>.</summary>
    public List<string>? Origins { get; set; }

    /// <summary>Allowed methods; none: GET, HEAD and POST only (the CORS-safelisted ones).</summary>
    public List<string>? Methods { get; set; }

    /// <summary>Request headers a browser may send (<c>authorization</c> for the token).</summary>
    public List<string>? Headers { get; set; }

    /// <summary>Response headers a browser script may read.</summary>
    public List<string>? ExposedHeaders { get; set; }

    /// <summary>Whether browsers send cookies and may read the answer of a credentialed request.</summary>
    public bool Credentials { get; set; }

    /// <summary>How long a browser may reuse a preflight's answer.</summary>
    public TimeSpan? MaxAge { get; set; }
}
