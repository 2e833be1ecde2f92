using System.Collections.Frozen;
using System.Globalization;
using WamsGateway.Configuration;
using WamsGateway.Exchanges;

namespace WamsGateway.Authentication;

/// <summary>
/// The checks on <c>Gateway:Authentication</c>: its own settings, every authority (the default one and the named ones,
/// under either key) and each API's <c>Authorities</c> and <c>Audiences</c>, each problem naming its key.
/// </summary>
internal sealed class AuthoritySettingsValidator : GatewaySettingsValidator
{
    /// <summary>Names go into metric labels, health check names and scheme names: short, plain.</summary>
    public const int MaxNameLength = 32;

    private static readonly FrozenSet<string> AsymmetricAlgorithms = new HashSet<string>(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    }.ToFrozenSet(StringComparer.Ordinal);

    protected override void Validate(WamsGatewayOptions options, List<string> problems)
    {
        const string Key = WamsGatewayOptions.SectionName + ":Authentication";
        ValidateAuthentication(options.Authentication, problems);
        ValidateAuthority(Key, options.Authentication, problems);

        var issuers = new Dictionary<string, string>(StringComparer.Ordinal);
        ClaimIssuers(Key, options.Authentication, issuers, problems);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (place, named) in new[] { ($"{Key}:Authorities", options.Authentication.Authorities), ($"{WamsGatewayOptions.SectionName}:Authorities", options.Authorities) })
        {
            foreach (var (name, authority) in named)
            {
                var key = $"{place}:{name}";
                if (!IsName(name))
                {
                    problems.Add($"{key}: '{name}' is not an authority name; use letters, digits, '-' and '_' (at most {MaxNameLength}), starting with a letter or digit.");
                }
                else if (name.Equals(AuthenticationSettings.DefaultAuthorityName, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{key}: '{AuthenticationSettings.DefaultAuthorityName}' is the authority configured directly under {Key}; give this one another name.");
                }
                else if (!seen.Add(name))
                {
                    problems.Add($"{key}: authority '{name}' is defined twice, under {Key}:Authorities and under {WamsGatewayOptions.SectionName}:Authorities; keep one.");
                }

                ValidateAuthority(key, authority, problems);
                ClaimIssuers(key, authority, issuers, problems);
            }
        }

        foreach (var (api, settings) in options.Apis)
        {
            ValidateApi(options, $"{WamsGatewayOptions.SectionName}:Apis:{api}", settings, problems);
        }
    }

    /// <summary>The settings only the gateway's authentication as a whole has: refresh, the validated-token cache.</summary>
    private static void ValidateAuthentication(AuthenticationSettings auth, List<string> problems)
    {
        const string Key = WamsGatewayOptions.SectionName + ":Authentication";
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

    /// <summary>The settings each authority has, wherever it is configured.</summary>
    private static void ValidateAuthority(string key, AuthoritySettings auth, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(auth.Authority))
        {
            problems.Add($"{key}:Authority: required; the token issuer, for example https://TENANT.auth0.com/.");
        }
        else if (!Uri.TryCreate(auth.Authority, UriKind.Absolute, out var authority)
            || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"{key}:Authority: '{auth.Authority}' is not an absolute http(s) URL.");
        }
        else if (authority.Scheme == Uri.UriSchemeHttp && auth.RequireHttpsMetadata)
        {
            problems.Add($"{key}:Authority: '{auth.Authority}' is not https; set {key}:RequireHttpsMetadata to false only for loopback development and tests.");
        }
        else if (authority.Scheme == Uri.UriSchemeHttp && !ExchangeValidationContext.IsLoopback(authority))
        {
            problems.Add($"{key}:Authority: plain http is allowed for loopback authorities only; '{authority.Host}' is not loopback.");
        }

        if (auth.Audiences is not { Count: > 0 } || auth.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{key}:Audiences: list at least one audience (an API identifier or an app's client id), none empty.");
        }

        if (auth.ValidIssuers is { } issuers && issuers.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{key}:ValidIssuers: an entry is empty.");
        }

        foreach (var alg in auth.EffectiveAlgorithms)
        {
            if (!AsymmetricAlgorithms.Contains(alg))
            {
                problems.Add($"{key}:AllowedAlgorithms: '{alg}' is not allowed; use asymmetric algorithms only ({string.Join(", ", AsymmetricAlgorithms)}). 'none' and HS* never validate a user token.");
            }
        }

        if (auth.ClockSkew < TimeSpan.Zero || auth.ClockSkew > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{key}:ClockSkew: {auth.ClockSkew.ToString("c", CultureInfo.InvariantCulture)} is outside 00:00:00 to 00:05:00; keep it to seconds.");
        }
    }

    /// <summary>A token is sent to the one authority its <c>iss</c> names, so no issuer may belong to two.</summary>
    private static void ClaimIssuers(string key, AuthoritySettings authority, Dictionary<string, string> claimed, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(authority.Authority))
        {
            return;
        }

        foreach (var issuer in authority.Issuers.Where(i => !string.IsNullOrWhiteSpace(i)).Distinct(StringComparer.Ordinal))
        {
            if (!claimed.TryAdd(issuer, key))
            {
                problems.Add($"{key}: issuer '{issuer}' is already {claimed[issuer]}'s (an Authority counts with and without its trailing slash); a token's iss must name exactly one authority.");
            }
        }
    }

    private static void ValidateApi(WamsGatewayOptions options, string key, ApiOptions api, List<string> problems)
    {
        var accepted = new List<AuthoritySettings>();
        if (api.Authorities is { } names)
        {
            if (names.Count == 0)
            {
                problems.Add($"{key}:Authorities: empty, so no token could call this API; name at least one authority, or leave the key out for all of them.");
            }

            foreach (var name in names)
            {
                if (Find(options, name) is { } authority)
                {
                    accepted.Add(authority);
                }
                else
                {
                    problems.Add($"{key}:Authorities: '{name}' is not a configured authority; known: {string.Join(", ", options.AuthorityNames)}.");
                }
            }
        }
        else
        {
            accepted.AddRange(options.AllAuthorities.Select(a => a.Value));
        }

        if (api.Audiences is not { } audiences)
        {
            return;
        }

        if (audiences.Count == 0 || audiences.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{key}:Audiences: list at least one audience, none empty, or leave the key out to accept any its authorities accept.");
            return;
        }

        foreach (var audience in audiences)
        {
            if (!accepted.Any(a => a.Audiences?.Contains(audience, StringComparer.Ordinal) == true))
            {
                problems.Add($"{key}:Audiences: '{audience}' is not among the Audiences of the authorities this API accepts, so no token could carry it; add it to the authority's Audiences or remove it here.");
            }
        }
    }

    private static AuthoritySettings? Find(WamsGatewayOptions options, string name) =>
        options.AllAuthorities.FirstOrDefault(a => a.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static bool IsName(string name) =>
        name.Length is > 0 and <= MaxNameLength && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
