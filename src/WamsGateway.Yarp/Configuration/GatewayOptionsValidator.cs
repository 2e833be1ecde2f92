using Microsoft.Extensions.Options;
using WamsGateway.Exchanges;

namespace WamsGateway.Configuration;

/// <summary>
/// Checks what binding cannot: required values, allowed algorithms, per-kind settings and the
/// routes that name APIs. Every problem is collected, each naming its key and how to fix it.
/// </summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    private readonly ExchangeKinds _kinds;
    private readonly IServiceProvider _services;

    public GatewayOptionsValidator(ExchangeKinds kinds, IServiceProvider services)
    {
        _kinds = kinds;
        _services = services;
    }

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var problems = new List<string>(options.ShapeProblems);
        ValidateAuthentication(options.Authentication, problems);
        Authentication.AuthoritySettingsValidator.Validate(options, problems);
        TrafficPolicy.TrafficPolicyValidator.Validate(options, problems);
        ValidateIdentityHeaders(options.IdentityHeaders, problems);
        ValidateStripHeaders(options.StripHeaders, problems);
        ValidateKeepHeaders(options.KeepHeaders, problems);
        ValidateDelegation(options.Delegation, problems);
        ValidateCache(options.Cache, problems);
        ValidateRedis(options.Redis, problems);
        ValidateShutdown(options.Shutdown, problems);

        foreach (var (api, settings) in options.Apis)
        {
            ValidateApi($"{GatewayOptions.SectionName}:Apis:{api}", settings, problems);
        }

        Assertions.AssertionSettingsValidator.Validate(options, CredentialHeaders(options), _kinds.OwnedHeaderPrefixes, problems);
        ValidateRouteBindings(options, problems);
        ValidateIdentityHeaderCollisions(options, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void ValidateShutdown(Shutdown.ShutdownSettings shutdown, List<string> problems)
    {
        const string Key = GatewayOptions.SectionName + ":Shutdown";
        if (shutdown.DrainDelay < TimeSpan.Zero || shutdown.DrainDelay > Shutdown.ShutdownSettings.MaxDrainDelay)
        {
            problems.Add($"{Key}:DrainDelay: between 00:00:00 and {Shutdown.ShutdownSettings.MaxDrainDelay:c}; give it at least the readiness probe's period so load balancers stop sending first.");
        }

        if (shutdown.Timeout <= TimeSpan.Zero || shutdown.Timeout > Shutdown.ShutdownSettings.MaxTimeout)
        {
            problems.Add($"{Key}:Timeout: more than 00:00:00 and at most {Shutdown.ShutdownSettings.MaxTimeout:c}; the slowest request you want finished, not cut, when a replica stops.");
        }
    }

    private static void ValidateAuthentication(AuthenticationSettings auth, List<string> problems)
    {
        const string Key = GatewayOptions.SectionName + ":Authentication";
        if (auth.MetadataRefreshInterval < TimeSpan.FromMinutes(1))
        {
            problems.Add($"{Key}:MetadataRefreshInterval: at least 00:01:00.");
        }

        if (auth.TokenCache.MaxAge < TimeSpan.Zero || auth.TokenCache.MaxAge > TimeSpan.FromHours(1))
        {
            problems.Add($"{Key}:TokenCache:MaxAge: between 00:00:00 (off) and 01:00:00.");
        }

        if (auth.TokenCache.MaxEntries < 1 || auth.TokenCache.MaxEntries > 10_000_000)
        {
            problems.Add($"{Key}:TokenCache:MaxEntries: between 1 and 10000000.");
        }

        if (auth.TokenCache.MaxTokenLength < 256 || auth.TokenCache.MaxTokenLength > 64 * 1024)
        {
            problems.Add($"{Key}:TokenCache:MaxTokenLength: between 256 and 65536 characters.");
        }

        if (auth.KeyRefreshMinInterval < TimeSpan.FromSeconds(1))
        {
            problems.Add($"{Key}:KeyRefreshMinInterval: at least 00:00:01, or a bad token could make the gateway hammer the authority.");
        }
    }

    private static void ValidateDelegation(DelegationSettings settings, List<string> problems)
    {
        const string Key = GatewayOptions.SectionName + ":Delegation";
        if (settings.Timeout < TimeSpan.FromMilliseconds(100) || settings.Timeout > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{Key}:Timeout: between 00:00:00.1 and 00:01:00.");
        }

        if (settings.BreakerMinimumThroughput < 2)
        {
            problems.Add($"{Key}:BreakerMinimumThroughput: at least 2.");
        }

        if (settings.RememberUnavailable < TimeSpan.Zero || settings.RememberUnavailable > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{Key}:RememberUnavailable: between 00:00:00 (off) and 00:01:00.");
        }

        if (settings.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            problems.Add($"{Key}:BreakDuration: at least 00:00:00.5.");
        }

        if (settings.DefaultRetryAfter < TimeSpan.FromSeconds(1))
        {
            problems.Add($"{Key}:DefaultRetryAfter: at least 00:00:01.");
        }
    }

    private static void ValidateCache(CacheSettings cache, List<string> problems)
    {
        const string Key = GatewayOptions.SectionName + ":Cache";
        if (cache.SafetyMargin < TimeSpan.Zero || cache.SafetyMargin > TimeSpan.FromMinutes(30))
        {
            problems.Add($"{Key}:SafetyMargin: between 00:00:00 and 00:30:00.");
        }

        if (cache.MaxEntries < 100)
        {
            problems.Add($"{Key}:MaxEntries: at least 100.");
        }

        if (cache.EagerRefreshThreshold != 0 && (cache.EagerRefreshThreshold <= 0.5f || cache.EagerRefreshThreshold >= 1f))
        {
            problems.Add($"{Key}:EagerRefreshThreshold: 0 (off) or a fraction above 0.5 and below 1, such as 0.8.");
        }
    }

    private static void ValidateRedis(RedisSettings redis, List<string> problems)
    {
        const string Key = GatewayOptions.SectionName + ":Redis";
        if (redis.Configuration is { } configuration)
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(configuration);
            }
            catch (ArgumentException)
            {
                problems.Add($"{Key}:Configuration: not a StackExchange.Redis configuration string (for example 127.0.0.1:6379,password=...).");
            }
        }

        if (string.IsNullOrWhiteSpace(redis.KeyPrefix))
        {
            problems.Add($"{Key}:KeyPrefix: required, so the gateway's keys never mix with another application's.");
        }

        if (redis.OperationTimeout < TimeSpan.FromMilliseconds(10) || redis.OperationTimeout > TimeSpan.FromSeconds(5))
        {
            problems.Add($"{Key}:OperationTimeout: between 00:00:00.010 and 00:00:05.");
        }

        if (redis.CircuitBreakerDuration < TimeSpan.Zero)
        {
            problems.Add($"{Key}:CircuitBreakerDuration: not negative.");
        }

        if (redis.KeyRingCertificatePath is { } path && !File.Exists(path))
        {
            problems.Add($"{Key}:KeyRingCertificatePath: '{path}' does not exist.");
        }

        if (redis.KeyRingKey is { } kek && !Caching.KeyRing.KeyEncryptionKey.IsValid(kek))
        {
            problems.Add($"{Key}:KeyRingKey: not {Caching.KeyRing.KeyEncryptionKey.SizeInBytes} bytes in base64; make one with: openssl rand -base64 32.");
        }

        if (redis.KeyRingCertificatePath is not null && redis.KeyRingKey is not null)
        {
            problems.Add($"{Key}: set one of KeyRingCertificatePath and KeyRingKey, not both.");
        }

        if (redis.Configuration is not null && !redis.KeyRingProtected && !redis.AllowUnprotectedKeyRing)
        {
            problems.Add($"{Key}: the Data Protection key ring that encrypts the cache is kept in Redis, so it must be protected by a key Redis never sees: "
                + $"set {Key}:KeyRingKey (32 random bytes in base64, from a secret) or {Key}:KeyRingCertificatePath. "
                + $"{Key}:AllowUnprotectedKeyRing: true starts without that protection (whoever can read Redis can then decrypt every cached credential).");
        }
    }

    /// <summary>
    /// An identity header must not share a name with a credential the gateway sets or a forwarding
    /// header: the backend would read a claim where it expects a credential or a client address.
    /// </summary>
    private void ValidateIdentityHeaderCollisions(GatewayOptions options, List<string> problems)
    {
        var credentials = CredentialHeaders(options);
        credentials.UnionWith(Forwarding.CredentialHeadersTransform.ForwardingHeaders);
        credentials.UnionWith(options.EffectiveStripHeaders);
        credentials.UnionWith(options.Apis.Values.Select(a => a.Assertion?.Header).OfType<string>());
        credentials.Add(Assertions.ApiAssertionSettings.DefaultHeader);
        var prefixes = _kinds.OwnedHeaderPrefixes;

        foreach (var (header, claim) in options.IdentityHeaders)
        {
            if (!string.IsNullOrEmpty(claim) && HttpHeaderNames.IsToken(header)
                && (credentials.Contains(header) || prefixes.Any(prefix => Forwarding.HeaderNameComparer.StartsWith(header, prefix))))
            {
                problems.Add($"{GatewayOptions.SectionName}:IdentityHeaders:{header}: '{header}' carries a credential or a forwarding header the gateway manages; give the claim a header of its own.");
            }
        }
    }

    /// <summary>Every header an API's exchange kind sets, and every API's <c>TokenHeader</c>.</summary>
    private HashSet<string> CredentialHeaders(GatewayOptions options)
    {
        var credentials = new HashSet<string>(Forwarding.HeaderNameComparer.Instance);
        credentials.UnionWith(_kinds.OwnedHeaders);
        credentials.UnionWith(options.Apis.Values.Select(a => a.TokenHeader).OfType<string>());
        foreach (var api in options.Apis.Values)
        {
            if (_kinds.Find(api.Exchange) is { } kind && api.Settings is not null)
            {
                credentials.UnionWith(kind.CredentialHeaders(api.Settings));
            }
        }

        return credentials;
    }

    private static void ValidateIdentityHeaders(Dictionary<string, string> headers, List<string> problems)
    {
        foreach (var (header, _) in headers)
        {
            var key = $"{GatewayOptions.SectionName}:IdentityHeaders:{header}";
            if (!HttpHeaderNames.IsToken(header))
            {
                problems.Add($"{key}: '{header}' is not a valid HTTP header name.");
            }
            else if (HttpHeaderNames.IsProtocolHeader(header))
            {
                problems.Add($"{key}: '{header}' is reserved by HTTP or the gateway and cannot carry a claim.");
            }
        }
    }

    private static void ValidateStripHeaders(List<string>? headers, List<string> problems)
    {
        const string Key = GatewayOptions.SectionName + ":StripHeaders";
        for (var i = 0; i < (headers?.Count ?? 0); i++)
        {
            var header = headers![i];
            if (string.IsNullOrEmpty(header) || !HttpHeaderNames.IsToken(header))
            {
                problems.Add($"{Key}:{i}: '{header}' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only).");
            }
            else if (HttpHeaderNames.Framing.Any(h => Forwarding.HeaderNameComparer.Instance.Equals(h, header)))
            {
                problems.Add($"{Key}:{i}: '{header}' frames the request itself and cannot be stripped; name a header that carries a credential.");
            }
            else if (header.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{Key}:{i}: Authorization is handled already (dropped on every route unless the API's exchange kind keeps the caller's, as Passthrough does); remove it from this list.");
            }
        }
    }

    private static void ValidateKeepHeaders(List<string>? headers, List<string> problems)
    {
        const string Key = GatewayOptions.SectionName + ":KeepHeaders";
        for (var i = 0; i < (headers?.Count ?? 0); i++)
        {
            if (!GatewayOptions.MeaningChangingHeaders.Contains(headers![i], Forwarding.HeaderNameComparer.Instance))
            {
                problems.Add($"{Key}:{i}: '{headers[i]}' is not a header the gateway strips by default that may be kept; one of {string.Join(", ", GatewayOptions.MeaningChangingHeaders)}.");
            }
        }
    }

    private void ValidateApi(string key, ApiOptions api, List<string> problems)
    {
        if (api.AllowedActors is { } actors && actors.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{key}:AllowedActors: an entry is empty; name each actor by the sub or client_id its act claim carries.");
        }

        if (api.AllowedClients is { } clients && clients.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{key}:AllowedClients: an entry is empty.");
        }

        if (api.RequiredScopes is { } scopes && scopes.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains(' ', StringComparison.Ordinal)))
        {
            problems.Add($"{key}:RequiredScopes: each entry is one scope with no spaces.");
        }

        if (string.IsNullOrWhiteSpace(api.Exchange))
        {
            problems.Add($"{key}:Exchange: required; one of {string.Join(" | ", _kinds.Names)}.");
            return;
        }

        var registration = _kinds.Registration(api.Exchange);
        if (registration is null || api.Settings is null)
        {
            problems.Add($"{key}:Exchange: '{api.Exchange}' is not one of {string.Join(" | ", _kinds.Names)}.");
            return;
        }

        _kinds.Find(api.Exchange)!.Validate(api.Settings, new ExchangeValidationContext(key, registration.Name, problems));
        if (api.TokenHeader is { } tokenHeader)
        {
            ValidateTokenHeader($"{key}:TokenHeader", tokenHeader, registration.Name, _kinds.Find(api.Exchange)!.KeepsCallerAuthorization, problems);
        }
    }

    /// <summary>
    /// A header a caller's token may come in: a valid name that HTTP and the gateway do not reserve, never an
    /// identity or forwarding header, nor one under a prefix a kind owns (<c>X-Amz-*</c>); not for a kind that forwards
    /// the caller's <c>Authorization</c> (Passthrough).
    /// </summary>
    private void ValidateTokenHeader(string key, string header, string kind, bool keepsCallerAuthorization, List<string> problems)
    {
        if (!HttpHeaderNames.IsFreeForGatewayUse(header, _kinds.OwnedHeaderPrefixes) || Forwarding.HeaderNameComparer.Instance.Equals(header, Assertions.ApiAssertionSettings.DefaultHeader))
        {
            problems.Add($"{key}: '{header}' cannot carry a caller's token; name a header of its own, such as X-ZUMO-AUTH (Authorization is read anyway).");
        }
        else if (keepsCallerAuthorization)
        {
            problems.Add($"{key}: a {kind} API forwards the caller's Authorization header; a token sent in '{header}' would reach the backend as nothing.");
        }
    }

    /// <summary>Every route that names an API, from every YARP configuration provider, against these options.</summary>
    private void ValidateRouteBindings(GatewayOptions options, List<string> problems)
    {
        foreach (var provider in _services.GetServices<Yarp.ReverseProxy.Configuration.IProxyConfigProvider>())
        {
            foreach (var route in provider.GetConfig().Routes)
            {
                TrafficPolicy.TrafficPolicyValidator.ValidateRoute(options, route, problems);
                if (route.Metadata?.TryGetValue(RouteMetadata.Api, out var api) == true
                    && RouteApiRules.Check(route.RouteId, route.AuthorizationPolicy, api, name => RequiresCaller(options, name)) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }
    }

    /// <summary>Whether the API needs a signed-in caller; null when it is not defined.</summary>
    internal bool? RequiresCaller(GatewayOptions options, string name) =>
        options.Apis.TryGetValue(name, out var api)
            ? api.RequiresCaller(_kinds.Find(api.Exchange))
            : null;

}
