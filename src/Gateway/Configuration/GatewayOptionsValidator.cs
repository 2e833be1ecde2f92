using System.Globalization;
using System.Net;

namespace WamsGateway.Configuration;

/// <summary>
/// Checks what binding cannot: required values, allowed algorithms, per-kind settings and the
/// routes that name APIs. Every problem is collected, each naming its key and how to fix it.
/// </summary>
internal static class GatewayOptionsValidator
{
    private static readonly HashSet<string> AsymmetricAlgorithms = new(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    };

    // Headers whose meaning belongs to HTTP itself; a claim must never overwrite them.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "Connection", "Content-Length", "Content-Type", "Transfer-Encoding",
        "Upgrade", "TE", "Trailer", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "Cookie",
        "traceparent", "tracestate",
    };

    // Headers that frame the request; removing them would break forwarding rather than strip a credential.
    private static readonly HashSet<string> FramingHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Upgrade", "TE", "Trailer", "Keep-Alive",
    };

    public static void Validate(GatewayOptions options, IConfiguration configuration, List<string> problems)
    {
        ValidateAuthentication(options.Authentication, problems);
        ValidateIdentityHeaders(options.IdentityHeaders, problems);
        ValidateStripHeaders(options.StripHeaders, problems);
        ValidateDelegation(options.Delegation, problems);
        ValidateCache(options.Cache, problems);
        ValidateRedis(options.Redis, problems);
        Management.ManagementSettingsValidator.Validate(options.Management, configuration, problems);

        foreach (var (name, api) in options.Apis)
        {
            ValidateApi($"{GatewayOptions.SectionName}:Apis:{name}", api, configuration, problems);
        }

        ValidateRouteBindings(options, configuration, problems);
    }

    private static void ValidateAuthentication(AuthenticationSettings auth, List<string> problems)
    {
        const string Key = GatewayOptions.SectionName + ":Authentication";
        if (string.IsNullOrWhiteSpace(auth.Authority))
        {
            problems.Add($"{Key}:Authority: required; the token issuer, for example https://TENANT.auth0.com/.");
        }
        else if (!Uri.TryCreate(auth.Authority, UriKind.Absolute, out var authority)
            || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"{Key}:Authority: '{auth.Authority}' is not an absolute http(s) URL.");
        }
        else if (authority.Scheme == Uri.UriSchemeHttp && auth.RequireHttpsMetadata)
        {
            problems.Add($"{Key}:Authority: '{auth.Authority}' is not https; set {Key}:RequireHttpsMetadata to false only for loopback development and tests.");
        }
        else if (authority.Scheme == Uri.UriSchemeHttp && !IsLoopback(authority))
        {
            problems.Add($"{Key}:Authority: plain http is allowed for loopback authorities only; '{authority.Host}' is not loopback.");
        }

        if (auth.Audiences is not { Count: > 0 } || auth.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{Key}:Audiences: list at least one audience (an API identifier or an app's client id), none empty.");
        }

        if (auth.ValidIssuers is { } issuers && issuers.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{Key}:ValidIssuers: an entry is empty.");
        }

        foreach (var alg in auth.EffectiveAlgorithms)
        {
            if (!AsymmetricAlgorithms.Contains(alg))
            {
                problems.Add($"{Key}:AllowedAlgorithms: '{alg}' is not allowed; use asymmetric algorithms only ({string.Join(", ", AsymmetricAlgorithms)}). 'none' and HS* never validate a user token.");
            }
        }

        if (auth.ClockSkew < TimeSpan.Zero || auth.ClockSkew > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{Key}:ClockSkew: {auth.ClockSkew.ToString("c", CultureInfo.InvariantCulture)} is outside 00:00:00 to 00:05:00; keep it to seconds.");
        }

        if (auth.MetadataRefreshInterval < TimeSpan.FromMinutes(1))
        {
            problems.Add($"{Key}:MetadataRefreshInterval: at least 00:01:00.");
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

    private static void ValidateIdentityHeaders(Dictionary<string, string> headers, List<string> problems)
    {
        foreach (var (header, _) in headers)
        {
            var key = $"{GatewayOptions.SectionName}:IdentityHeaders:{header}";
            if (!IsToken(header))
            {
                problems.Add($"{key}: '{header}' is not a valid HTTP header name.");
            }
            else if (ReservedHeaders.Contains(header))
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
            if (string.IsNullOrEmpty(header) || !IsToken(header))
            {
                problems.Add($"{Key}:{i}: '{header}' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only).");
            }
            else if (FramingHeaders.Contains(header))
            {
                problems.Add($"{Key}:{i}: '{header}' frames the request itself and cannot be stripped; name a header that carries a credential.");
            }
            else if (header.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{Key}:{i}: Authorization is handled already (dropped on every route except Passthrough ones); remove it from this list.");
            }
        }
    }

    private static void ValidateApi(string key, ApiOptions api, IConfiguration configuration, List<string> problems)
    {
        if (api.Exchange is null)
        {
            // A value that did not convert was reported already; only a missing one is reported here.
            if (configuration[key + ":Exchange"] is null)
            {
                problems.Add($"{key}:Exchange: required; one of {string.Join(" | ", Enum.GetNames<ExchangeKind>())}.");
            }

            return;
        }

        if (api.Inject is { } inject && (!IsToken(inject) || (ReservedHeaders.Contains(inject) && !inject.Equals("Authorization", StringComparison.OrdinalIgnoreCase))))
        {
            problems.Add($"{key}:Inject: '{inject}' cannot carry a credential; name a header such as Authorization or X-ZUMO-AUTH.");
        }

        if (api.AllowedClients is { } clients && clients.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{key}:AllowedClients: an entry is empty.");
        }

        if (api.RequiredScopes is { } scopes && scopes.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains(' ', StringComparison.Ordinal)))
        {
            problems.Add($"{key}:RequiredScopes: each entry is one scope with no spaces.");
        }

        switch (api.Exchange.Value)
        {
            case ExchangeKind.None:
            case ExchangeKind.Passthrough:
                break;
            case ExchangeKind.Auth0Delegation:
                ValidateAuth0Delegation(key, api, problems);
                break;
            case ExchangeKind.TokenExchange:
                ValidateTokenExchange(key, api, problems);
                break;
            case ExchangeKind.WamsMint:
                ValidateWamsMint(key, api, problems);
                break;
            case ExchangeKind.AwsSts:
                ValidateAwsSts(key, api, problems);
                break;
        }
    }

    private static void ValidateAuth0Delegation(string key, ApiOptions api, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(api.Target))
        {
            problems.Add($"{key}:Target: required for Auth0Delegation; the client id of the application whose add-on issues the token.");
        }

        var apiType = api.ApiType ?? "app";
        if (Auth0ApiTypes.NotYetSupported.Contains(apiType))
        {
            problems.Add($"{key}:ApiType: '{apiType}' answers with something other than an id_token, which this build cannot inject yet; supported: {string.Join(", ", Auth0ApiTypes.IdTokenShaped)}.");
        }
        else if (!Auth0ApiTypes.IdTokenShaped.Contains(apiType))
        {
            problems.Add($"{key}:ApiType: '{apiType}' is not an Auth0 delegation api_type; use one of {string.Join(", ", Auth0ApiTypes.IdTokenShaped)}.");
        }

        CheckUrl($"{key}:Endpoint", api.Endpoint, problems);
    }

    private static void ValidateTokenExchange(string key, ApiOptions api, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(api.ClientId) || string.IsNullOrWhiteSpace(api.ClientSecret))
        {
            problems.Add($"{key}:ClientId and {key}:ClientSecret: required for TokenExchange; the gateway authenticates to the token endpoint as this client.");
        }

        if (string.IsNullOrWhiteSpace(api.Audience) && string.IsNullOrWhiteSpace(api.Resource) && string.IsNullOrWhiteSpace(api.Scope))
        {
            problems.Add($"{key}:Audience: name the API the exchanged token is for (Audience, Resource or Scope).");
        }

        CheckUrl($"{key}:TokenEndpoint", api.TokenEndpoint, problems);
        if (api.Resource is { } resource && !Uri.TryCreate(resource, UriKind.Absolute, out _))
        {
            problems.Add($"{key}:Resource: '{resource}' must be an absolute URI (RFC 8693 section 2.1).");
        }
    }

    private static void ValidateAwsSts(string key, ApiOptions api, List<string> problems)
    {
        if (api.RoleArn is null || !api.RoleArn.StartsWith("arn:", StringComparison.Ordinal) || !api.RoleArn.Contains(":role/", StringComparison.Ordinal))
        {
            problems.Add($"{key}:RoleArn: required for AwsSts; an IAM role ARN such as arn:aws:iam::123456789012:role/app.");
        }

        if (string.IsNullOrWhiteSpace(api.Region))
        {
            problems.Add($"{key}:Region: required for AwsSts; the region requests are signed for, such as us-east-1.");
        }

        if (string.IsNullOrWhiteSpace(api.Service))
        {
            problems.Add($"{key}:Service: required for AwsSts; the service requests are signed for, such as s3 or execute-api.");
        }

        if (api.DurationSeconds is { } duration && (duration < 900 || duration > 43200))
        {
            problems.Add($"{key}:DurationSeconds: between 900 and 43200 (STS limits).");
        }

        if (api.MaxSignedBodyBytes is { } max && (max < 0 || max > 256L * 1024 * 1024))
        {
            problems.Add($"{key}:MaxSignedBodyBytes: between 0 and 268435456.");
        }

        switch (api.Source ?? AwsSources.WebIdentity)
        {
            case AwsSources.WebIdentity:
                CheckUrl($"{key}:StsEndpoint", api.StsEndpoint, problems);
                break;
            case AwsSources.Auth0Delegation:
                if (string.IsNullOrWhiteSpace(api.Target))
                {
                    problems.Add($"{key}:Target: required for Source Auth0Delegation; the client id of the application with the AWS add-on.");
                }

                if (api.PrincipalArn is null || !api.PrincipalArn.StartsWith("arn:", StringComparison.Ordinal))
                {
                    problems.Add($"{key}:PrincipalArn: required for Source Auth0Delegation; the SAML provider ARN Auth0 passes as principal.");
                }

                CheckUrl($"{key}:Endpoint", api.Endpoint, problems);
                break;
            default:
                problems.Add($"{key}:Source: '{api.Source}' is not one of {AwsSources.WebIdentity} | {AwsSources.Auth0Delegation}.");
                break;
        }
    }

    private static void ValidateWamsMint(string key, ApiOptions api, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(api.MasterKey))
        {
            problems.Add($"{key}:MasterKey: required for WamsMint; the WAMS master key the backend validates X-ZUMO-AUTH with.");
        }

        if (api.Lifetime is { } lifetime && (lifetime < TimeSpan.FromMinutes(2) || lifetime > TimeSpan.FromDays(30)))
        {
            problems.Add($"{key}:Lifetime: between 00:02:00 and 30.00:00:00.");
        }
    }

    private static void CheckUrl(string key, string? value, List<string> problems)
    {
        if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)))))
        {
            problems.Add($"{key}: '{value}' must be an absolute https URL (plain http only for loopback).");
        }
    }

    private static void ValidateRouteBindings(GatewayOptions options, IConfiguration configuration, List<string> problems)
    {
        foreach (var route in configuration.GetSection("ReverseProxy:Routes").GetChildren())
        {
            var api = route.GetSection("Metadata").GetSection(RouteMetadata.Api);
            if (api.Value is null)
            {
                continue;
            }

            if (RouteApiRules.Check(route.Key, route["AuthorizationPolicy"], api.Value, options) is { } problem)
            {
                problems.Add(problem);
            }
        }
    }

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    // RFC 9110 token characters.
    private static bool IsToken(string value) =>
        value.Length > 0 && value.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)));
}
