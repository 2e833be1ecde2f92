namespace WamsGateway.Configuration;

/// <summary>The <c>Gateway</c> configuration section (docs/configuration.md).</summary>
internal sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    public AuthenticationSettings Authentication { get; set; } = new();

    /// <summary>
    /// Named authorities given at <c>Gateway:Authorities</c>, where the contract's example puts them; the same as
    /// <c>Gateway:Authentication:Authorities</c>, and a name may be given in only one of the two.
    /// </summary>
    public Dictionary<string, AuthoritySettings> Authorities { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every named authority, from both places (a name given twice is the validator's to report).</summary>
    public IEnumerable<KeyValuePair<string, AuthoritySettings>> NamedAuthorities => Authentication.Authorities.Concat(Authorities);

    /// <summary>Every authority: the default one (named <c>default</c>), then the named ones.</summary>
    public IEnumerable<KeyValuePair<string, AuthoritySettings>> AllAuthorities =>
        NamedAuthorities.Prepend(new(AuthenticationSettings.DefaultAuthorityName, Authentication));

    /// <summary>
    /// The names of <see cref="AllAuthorities"/>, each once (the validator reports a name given twice; what is registered
    /// before it runs, such as each authority's scheme and readiness check, must not fail first).
    /// </summary>
    public IEnumerable<string> AuthorityNames => AllAuthorities.Select(a => a.Key).Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Header name to claim type. Configured entries are merged over the defaults; an empty claim
    /// switches a default header off.
    /// </summary>
    public Dictionary<string, string> IdentityHeaders { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["X-User-Id"] = "sub",
        ["X-User-Email"] = "email",
        ["X-Client-Id"] = "azp",
        ["X-User-Issuer"] = "iss",
    };

    /// <summary>
    /// The <c>email</c> claim reaches an identity header only when the token's <c>email_verified</c> is JSON <c>true</c>:
    /// an address the authority did not verify is anyone's claim. False forwards it either way.
    /// </summary>
    public bool RequireVerifiedEmail { get; set; } = true;

    /// <summary>
    /// Further headers removed from every inbound request on every route, besides the gateway's own (those the
    /// exchange kinds own, such as <c>X-ZUMO-AUTH</c> and <c>X-Amz-*</c>, never replaced by this list). Matched in
    /// any case, any non-alphanumeric character as <c>-</c>.
    /// </summary>
    public List<string>? StripHeaders { get; set; }

    /// <summary>
    /// Headers that change what a request means at a backend or framework that honours them (the method it runs, the
    /// URL or host it routes, the client address it trusts, the user another authenticating proxy or platform vouched
    /// for), so a caller's copy would reach past what the gateway checked (a bound assertion's <c>htm</c>, a route's
    /// path, the identity headers). Removed on every route unless named in <see cref="KeepHeaders"/>.
    /// </summary>
    public static IReadOnlyList<string> MeaningChangingHeaders { get; } =
    [
        // The method and URL a framework runs or routes.
        "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "X-Original-URL", "X-Rewrite-URL",
        "X-Original-Method", "X-Forwarded-Method", "X-Forwarded-Uri", "X-Original-URI", "X-Original-Host", "X-Host",
        "X-Forwarded-Port", "X-Forwarded-Server",

        // The scheme a framework believes the request came over (Rack, Rails, IIS): other spellings of X-Forwarded-Proto.
        "X-Forwarded-Ssl", "X-Forwarded-Scheme", "X-Url-Scheme", "Front-End-Https",

        // The client address a backend trusts.
        "X-Real-IP", "True-Client-IP", "X-Client-IP", "CF-Connecting-IP", "X-Cluster-Client-IP", "Fastly-Client-IP",
        "Client-IP", "X-Originating-IP", "X-Remote-Addr", "X-Remote-IP", "X-ProxyUser-Ip", "X-Envoy-External-Address", "X-Original-Forwarded-For",

        // The user another authenticating proxy or platform vouched for: Azure App Service authentication (Mobile
        // Services' successor), oauth2-proxy, Authelia and other forward-auth proxies, CGI-style servers.
        "X-MS-CLIENT-PRINCIPAL", "X-MS-CLIENT-PRINCIPAL-NAME", "X-MS-CLIENT-PRINCIPAL-ID", "X-MS-CLIENT-PRINCIPAL-IDP",
        "X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Preferred-Username", "X-Forwarded-Groups", "X-Forwarded-Access-Token",
        "X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Preferred-Username", "X-Auth-Request-Groups", "X-Auth-Request-Access-Token",
        "Remote-User", "Remote-Email", "Remote-Groups", "Remote-Name", "X-Remote-User",
        // AWS ALB, Google IAP, App Service token store, Kong, and the generic names.
        "X-Amzn-Oidc-Identity", "X-Amzn-Oidc-Data", "X-Amzn-Oidc-Accesstoken",
        "X-Goog-Authenticated-User-Email", "X-Goog-Authenticated-User-Id", "X-Goog-Iap-Jwt-Assertion",
        "X-MS-TOKEN-AAD-ID-TOKEN", "X-MS-TOKEN-AAD-ACCESS-TOKEN",
        "X-Consumer-ID", "X-Consumer-Custom-ID", "X-Consumer-Username", "X-Credential-Identifier", "X-Authenticated-Userid",
        "X-Authenticated-User", "X-User", "X-Username",
    ];

    /// <summary>Of <see cref="MeaningChangingHeaders"/>, those a caller may send to the backends after all (a backend that relies on one).</summary>
    public List<string>? KeepHeaders { get; set; }

    /// <summary>The meaning-changing headers, less what <see cref="KeepHeaders"/> keeps, and the configured list.</summary>
    public IEnumerable<string> EffectiveStripHeaders => MeaningChangingHeaders
        .Where(h => KeepHeaders?.Contains(h, Forwarding.HeaderNameComparer.Instance) != true)
        .Concat(StripHeaders ?? []);

    public RedisSettings Redis { get; set; } = new();

    public CacheSettings Cache { get; set; } = new();

    public DelegationSettings Delegation { get; set; } = new();

    /// <summary>How the gateway drains on SIGTERM (<c>Gateway:Shutdown</c>); read at start.</summary>
    public Shutdown.ShutdownSettings Shutdown { get; set; } = new();

    /// <summary>The gateway as the issuer of its assertions (<c>Gateway:Assertion</c>); read at start.</summary>
    public Assertions.AssertionSettings Assertion { get; set; } = new();

    /// <summary>Named rate limits (<c>Gateway:RateLimits</c>): a route names one in <c>RateLimiterPolicy</c>, an API in <c>RateLimit</c> or <c>ExchangeRateLimit</c>; read at start.</summary>
    public Dictionary<string, TrafficPolicy.RateLimitSettings> RateLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Named CORS policies (<c>Gateway:Cors</c>): a route names one in <c>CorsPolicy</c>; read at start.</summary>
    public Dictionary<string, TrafficPolicy.CorsSettings> Cors { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Named request timeouts (<c>Gateway:Timeouts</c>): a route names one in <c>TimeoutPolicy</c>; read at start.</summary>
    public Dictionary<string, TimeSpan> Timeouts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, ApiOptions> Apis { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// One authority whose tokens the gateway accepts: the default one (<c>Gateway:Authentication</c>) or a named one
/// (<c>Gateway:Authentication:Authorities:&lt;name&gt;</c>). Each keeps its own discovery, JWKS and validation rules.
/// </summary>
internal class AuthoritySettings
{
    public static readonly IReadOnlyList<string> DefaultAlgorithms = ["RS256"];

    /// <summary>The issuer; discovery is read from <c>{Authority}.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    public List<string>? Audiences { get; set; }

    public List<string>? ValidIssuers { get; set; }

    /// <summary>Null means RS256 only. Binding a list over a default would append to it, hence null.</summary>
    public List<string>? AllowedAlgorithms { get; set; }

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool RequireHttpsMetadata { get; set; } = true;

    public IReadOnlyList<string> EffectiveAlgorithms =>
        AllowedAlgorithms is { Count: > 0 } ? AllowedAlgorithms : DefaultAlgorithms;

    /// <summary>
    /// Every issuer this authority's tokens may name: <see cref="Authority"/>, with and without its trailing slash (the
    /// discovery document's <c>issuer</c> is the one form or the other), and <see cref="ValidIssuers"/>, as written.
    /// </summary>
    public IEnumerable<string> Issuers
    {
        get
        {
            var authority = Authority!;
            var other = authority.EndsWith('/') ? authority.TrimEnd('/') : authority + "/";
            IEnumerable<string> issuers = other.Length > 0 && other != authority ? [authority, other] : [authority];
            return ValidIssuers is { } extra ? issuers.Concat(extra) : issuers;
        }
    }

    public Uri MetadataAddress => new(Authority!.TrimEnd('/') + "/.well-known/openid-configuration");
}

/// <summary><c>Gateway:Authentication</c>: the default authority, the settings every authority shares, and the named authorities.</summary>
internal sealed class AuthenticationSettings : AuthoritySettings
{
    /// <summary>The name the authority configured directly under <c>Gateway:Authentication</c> goes by.</summary>
    public const string DefaultAuthorityName = "default";

    /// <summary>More authorities, by name (<c>Gateway:Authentication:Authorities</c>).</summary>
    public Dictionary<string, AuthoritySettings> Authorities { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often the discovery document and JWKS are re-read when nothing asks sooner.</summary>
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The least time between two refreshes forced by a token whose <c>kid</c> is unknown.</summary>
    public TimeSpan KeyRefreshMinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The validated-token cache (<c>Gateway:Authentication:TokenCache</c>).</summary>
    public TokenCacheSettings TokenCache { get; set; } = new();
}

/// <summary>
/// A token whose signature and claims were checked is reused, without checking again, until the
/// earlier of its <c>exp</c> and <see cref="MaxAge"/>, as Envoy's <c>jwt_cache_config</c> does.
/// </summary>
internal sealed class TokenCacheSettings
{
    /// <summary>The longest a validated token is reused; 00:00:00 turns the cache off.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most tokens kept; the least recently used go first.</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>Longer tokens are validated every time and never kept, so the cache's memory stays bounded.</summary>
    public int MaxTokenLength { get; set; } = 8 * 1024;

    public bool Enabled => MaxAge > TimeSpan.Zero;
}

internal sealed class RedisSettings
{
    /// <summary>A StackExchange.Redis configuration string; without it the cache is in-process only.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefixes every key and channel the gateway uses in Redis.</summary>
    public string KeyPrefix { get; set; } = "wamsgw:";

    /// <summary>The most a cache read or write may wait for Redis before the request goes on without it.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>After a Redis error, how long the cache leaves Redis alone before trying again.</summary>
    public TimeSpan CircuitBreakerDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A PFX whose certificate encrypts the Data Protection key ring stored in Redis.</summary>
    public string? KeyRingCertificatePath { get; set; }

    /// <summary>The PFX's password, if it has one. Never logged.</summary>
    public string? KeyRingCertificatePassword { get; set; }

    /// <summary>
    /// A key-encryption key (32 random bytes, base64) that encrypts the Data Protection key ring stored
    /// in Redis, for deployments that keep secrets as strings (a Kubernetes Secret). Never logged.
    /// </summary>
    public string? KeyRingKey { get; set; }

    /// <summary>
    /// Lets the gateway start with Redis and a key ring that nothing protects: whoever can read Redis
    /// could then decrypt every cached credential. Logged as a warning at start.
    /// </summary>
    public bool AllowUnprotectedKeyRing { get; set; }

    /// <summary>True when something that never enters Redis protects the key ring.</summary>
    public bool KeyRingProtected => KeyRingCertificatePath is not null || KeyRingKey is not null;
}

internal sealed class CacheSettings
{
    /// <summary>An entry ends this long before the earlier of the credential's and the caller token's expiry.</summary>
    public TimeSpan SafetyMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The most entries the in-process level holds; the least recently useful go first.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>Past this fraction of its life, a used entry is renewed in the background (0 turns it off).</summary>
    public float EagerRefreshThreshold { get; set; } = 0.8f;
}

internal sealed class DelegationSettings
{
    /// <summary>How long one call to an identity provider may take before it counts as unavailable.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What <c>Retry-After</c> says when the provider gave no hint of its own.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Calls to one provider within 30 seconds before its circuit may open (at half of them failing).</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>How long an open circuit answers 503 without asking the provider.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long an exchange that found its provider unavailable is remembered for its key (never longer
    /// than the provider's own <c>Retry-After</c>): requests in that time answer 503 without asking again.
    /// </summary>
    public TimeSpan RememberUnavailable { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Calls to a provider per exchange: the first and one retry of a transient failure.</summary>
    public const int Attempts = 2;

    /// <summary>The most the retry waits between the two attempts.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The most one exchange may take, every attempt and the pause between them included. No request
    /// waits longer than this (plus a little for the cache) for a credential, whatever its place in line.
    /// </summary>
    public TimeSpan ExchangeBudget => Timeout * Attempts + MaxRetryDelay;
}
