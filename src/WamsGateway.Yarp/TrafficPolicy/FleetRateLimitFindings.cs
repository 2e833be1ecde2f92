namespace WamsGateway.TrafficPolicy;

/// <summary>What a Fleet rate limit's script found in its key that the scripts themselves never leave there (the reply's third number).</summary>
[Flags]
internal enum FleetRateLimitFindings
{
    None = 0,

    /// <summary>Another Redis type than the algorithm's.</summary>
    OtherType = 1,

    /// <summary>A count or a time that is not a finite, non-negative number.</summary>
    UnreadableNumber = 2,

    /// <summary>A time further ahead of Redis's clock than <see cref="FleetRateLimiter.SkewAllowance"/>.</summary>
    AheadOfRedisClock = 4,

    /// <summary>More permits counted than the limit.</summary>
    OverTheLimit = 8,

    /// <summary>No expiry, or one longer than the window (the refill-to-full time, the lease lifetime).</summary>
    ExpiryTooLong = 16,

    All = OtherType | UnreadableNumber | AheadOfRedisClock | OverTheLimit | ExpiryTooLong,
}
