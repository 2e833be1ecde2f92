namespace WamsGateway.Configuration;

/// <summary>
/// The gateway's options: the <c>Gateway</c> configuration section (docs/configuration.md), bound by
/// <c>AddWamsGateway(IConfiguration)</c>, or set in code with <c>AddWamsGateway(Action&lt;WamsGatewayOptions&gt;)</c>.
/// </summary>
public sealed class WamsGatewayOptions
{
    /// <summary>The section's conventional name, and the prefix of every key in validation messages.</summary>
    public const string SectionName = "Gateway";

    /// <summary>The default authority, what every authority shares, and the named ones (<c>Gateway:Authentication</c>); read at start.</summary>
    public AuthenticationSettings Authentication { get; set; } = new();

    /// <summary>
    /// Named authorities given at <c>Gateway:Authorities</c>, where the contract's example puts them; the same as
    /// <c>Gateway:Authentication:Authorities</c>, and a name may be given in only one of the two.
    /// </summary>
    public Dictionary<string, AuthoritySettings> Authorities { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every named authority, from both places (a name given twice is the validator's to report).</summary>
    internal IEnumerable<KeyValuePair<string, AuthoritySettings>> NamedAuthorities => Authentication.Authorities.Concat(Authorities);

    /// <summary>Every authority: the default one (named <c>default</c>), then the named ones.</summary>
    internal IEnumerable<KeyValuePair<string, AuthoritySettings>> AllAuthorities =>
        NamedAuthorities.Prepend(new(AuthenticationSettings.DefaultAuthorityName, Authentication));

    /// <summary>
    /// The names of <see cref="AllAuthorities"/>, each once (the validator reports a name given twice; what is registered
    /// before it runs, such as each authority's scheme and readiness check, must not fail first).
    /// </summary>
    internal IEnumerable<string> AuthorityNames => AllAuthorities.Select(a => a.Key).Distinct(StringComparer.OrdinalIgnoreCase);

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

        // The scheme a framework believes the request came over (Rack, Rails, IIS, ARR): other spellings of X-Forwarded-Proto.
        "X-Forwarded-Ssl", "X-Forwarded-Scheme", "X-Url-Scheme", "Front-End-Https", "X-ARR-SSL", "X-Scheme",
        "X-Forwarded-Protocol", "X-Forwarded-Path", "CF-Visitor", "X-Envoy-Internal",

        // The client certificate a TLS-terminating proxy vouches for (ASP.NET Core's certificate forwarding reads X-Client-Cert).
        "X-Client-Cert", "X-ARR-ClientCert", "X-Forwarded-Client-Cert", "Client-Cert", "Client-Cert-Chain", "X-SSL-Client-Cert",
        "Ssl-Client-Cert", "X-SSL-Cert", "MS-ASPNETCORE-CLIENTCERT",

        // httpoxy: CGI-style servers read it as HTTP_PROXY.
        "Proxy",

        // The client address a backend trusts.
        "X-Real-IP", "True-Client-IP", "X-Client-IP", "CF-Connecting-IP", "X-Cluster-Client-IP", "Fastly-Client-IP",
        "Client-IP", "X-Originating-IP", "X-Remote-Addr", "X-Remote-IP", "X-ProxyUser-Ip", "X-Envoy-External-Address", "X-Original-Forwarded-For",
        "X-Forwarded", "Forwarded-For", "X-Vercel-Forwarded-For",

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
        // Grafana's auth proxy, Kubernetes' front proxy, Kong's groups and OIDC plugin, Google Cloud Endpoints.
        "X-WEBAUTH-USER", "X-Remote-Group", "X-Consumer-Groups", "X-Userinfo", "X-Endpoint-API-UserInfo",
        "X-Apigateway-Api-Userinfo", "X-CloudScheduler", "X-Forwarded-Roles", "X-Roles", "X-Groups",
    ];

    /// <summary>
    /// Prefixes of <see cref="MeaningChangingHeaders"/>' kind whose names vary (claims, certificate fields, platform facts as
    /// headers): Cloudflare Access, Pomerium, Kubernetes' front proxy extras and impersonation, Tailscale, App Engine and Cloud
    /// Tasks, IAP, client-certificate fields of nginx, Traefik, AWS and Google load balancers, Azure Front Door's client facts,
    /// and the <c>X-Original-</c> spellings of forwarded facts. Removed on every route unless the prefix itself is named in
    /// <see cref="KeepHeaders"/>.
    /// </summary>
    public static IReadOnlyList<string> MeaningChangingHeaderPrefixes { get; } =
    [
        "Cf-Access-", "X-Pomerium-", "X-Remote-Extra-", "Impersonate-", "Tailscale-", "X-Appengine-", "X-CloudTasks-", "X-Goog-Authenticated-",
        "X-SSL-Client-", "Ssl-Client-", "X-Forwarded-Tls-Client-Cert", "X-Amzn-Mtls-", "X-Client-Cert-", "X-Azure-", "X-Original-",
    ];

    /// <summary>
    /// Of <see cref="MeaningChangingHeaders"/> and <see cref="MeaningChangingHeaderPrefixes"/>, those a caller may send to the
    /// backends after all (a backend that relies on one).
    /// </summary>
    public List<string>? KeepHeaders { get; set; }

    /// <summary>The meaning-changing headers, less what <see cref="KeepHeaders"/> keeps, and the configured list.</summary>
    /// <summary>The meaning-changing prefixes, less what <see cref="KeepHeaders"/> keeps.</summary>
    internal IEnumerable<string> EffectiveStripHeaderPrefixes => MeaningChangingHeaderPrefixes
        .Where(h => KeepHeaders?.Contains(h, Forwarding.HeaderNameComparer.Instance) != true);

    internal IEnumerable<string> EffectiveStripHeaders => MeaningChangingHeaders
        .Where(h => KeepHeaders?.Contains(h, Forwarding.HeaderNameComparer.Instance) != true)
        .Concat(StripHeaders ?? []);

    /// <summary>Redis as the cache's shared level, and the key ring that encrypts it (<c>Gateway:Redis</c>); read at start.</summary>
    public RedisSettings Redis { get; set; } = new();

    /// <summary>The delegation cache (<c>Gateway:Cache</c>); read at start.</summary>
    public CacheSettings Cache { get; set; } = new();

    /// <summary>Calls to identity providers: budget, retries, breaker (<c>Gateway:Delegation</c>); read at start.</summary>
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

    /// <summary>The downstream APIs by name (<c>Gateway:Apis</c>): what a route's <c>Metadata:Api</c> names; reloads.</summary>
    public Dictionary<string, ApiOptions> Apis { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// One authority whose tokens the gateway accepts: the default one (<c>Gateway:Authentication</c>) or a named one
/// (<c>Gateway:Authentication:Authorities:&lt;name&gt;</c>). Each keeps its own discovery, JWKS and validation rules.
/// </summary>
public class AuthoritySettings
{
    /// <summary>The algorithms accepted when <see cref="AllowedAlgorithms"/> names none.</summary>
    public static readonly IReadOnlyList<string> DefaultAlgorithms = ["RS256"];

    /// <summary>The issuer; discovery is read from <c>{Authority}.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The audiences this authority's tokens may carry (API identifiers, apps' client ids for ID tokens); at least one.</summary>
    public List<string>? Audiences { get; set; }

    /// <summary>More issuers this authority's tokens may name (a custom domain), besides <see cref="Authority"/>.</summary>
    public List<string>? ValidIssuers { get; set; }

    /// <summary>Null means RS256 only. Binding a list over a default would append to it, hence null.</summary>
    public List<string>? AllowedAlgorithms { get; set; }

    /// <summary>How far the gateway's clock and the authority's may differ when <c>exp</c> and <c>nbf</c> are checked.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Discovery and keys over HTTPS only; false only for loopback development and tests.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    internal IReadOnlyList<string> EffectiveAlgorithms =>
        AllowedAlgorithms is { Count: > 0 } ? AllowedAlgorithms : DefaultAlgorithms;

    /// <summary>
    /// Every issuer this authority's tokens may name: <see cref="Authority"/>, with and without its trailing slash (the
    /// discovery document's <c>issuer</c> is the one form or the other), and <see cref="ValidIssuers"/>, as written.
    /// </summary>
    internal IEnumerable<string> Issuers
    {
        get
        {
            var authority = Authority!;
            var other = authority.EndsWith('/') ? authority.TrimEnd('/') : authority + "/";
            IEnumerable<string> issuers = other.Length > 0 && other != authority ? [authority, other] : [authority];
            return ValidIssuers is { } extra ? issuers.Concat(extra) : issuers;
        }
    }

    internal Uri MetadataAddress => new(Authority!.TrimEnd('/') + "/.well-known/openid-configuration");
}

/// <summary><c>Gateway:Authentication</c>: the default authority, the settings every authority shares, and the named authorities.</summary>
public sealed class AuthenticationSettings : AuthoritySettings
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
public sealed class TokenCacheSettings
{
    /// <summary>The longest a validated token is reused; 00:00:00 turns the cache off.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most tokens kept; the least recently used go first.</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>Longer tokens are validated every time and never kept, so the cache's memory stays bounded.</summary>
    public int MaxTokenLength { get; set; } = 8 * 1024;

    internal bool Enabled => MaxAge > TimeSpan.Zero;
}

/// <summary><c>Gateway:Redis</c>: Redis as the shared level of the cache, its timeouts, and what protects the key ring kept there.</summary>
public sealed class RedisSettings
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
    internal bool KeyRingProtected => KeyRingCertificatePath is not null || KeyRingKey is not null;
}

/// <summary><c>Gateway:Cache</c>: how long exchanged credentials are kept, and how many in memory.</summary>
public sealed class CacheSettings
{
    /// <summary>An entry ends this long before the earlier of the credential's and the caller token's expiry.</summary>
    public TimeSpan SafetyMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The most entries the in-process level holds; the least recently useful go first.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>Past this fraction of its life, a used entry is renewed in the background (0 turns it off).</summary>
    public float EagerRefreshThreshold { get; set; } = 0.8f;
}

/// <summary><c>Gateway:Delegation</c>: how long a call to an identity provider may take, its retry, and its circuit breaker.</summary>
public sealed class DelegationSettings
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
    internal TimeSpan ExchangeBudget => Timeout * Attempts + MaxRetryDelay;
}
