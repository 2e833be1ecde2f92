using System.Globalization;
using WamsGateway.Configuration;
using WamsGateway.Forwarding;

namespace WamsGateway.Assertions;

/// <summary>The checks on <c>Gateway:Assertion</c> and every API's <c>Assertion</c>, each problem naming its key.</summary>
internal sealed class AssertionSettingsValidator : GatewaySettingsValidator
{
    private readonly Exchanges.ExchangeKinds _kinds;

    public AssertionSettingsValidator(Exchanges.ExchangeKinds kinds)
    {
        _kinds = kinds;
    }

    protected override void Validate(WamsGatewayOptions options, List<string> problems)
    {
        var credentialHeaders = _kinds.CredentialHeaders(options);
        var ownedPrefixes = _kinds.OwnedHeaderPrefixes;
        const string Key = WamsGatewayOptions.SectionName + ":Assertion";
        var settings = options.Assertion;
        var wanted = options.Apis.Where(a => a.Value.Assertion is not null).Select(a => a.Key).ToList();
        if (settings.Issuer is null)
        {
            if (wanted.Count > 0)
            {
                problems.Add($"{Key}:Issuer: required, since API(s) {string.Join(", ", wanted)} ask for assertions: the URL backends reach the gateway at, for example http://gateway.internal:8080/.");
            }
        }
        else if (!Uri.TryCreate(settings.Issuer, UriKind.Absolute, out var issuer)
            || (issuer.Scheme != Uri.UriSchemeHttps && issuer.Scheme != Uri.UriSchemeHttp)
            || issuer.Query.Length > 0 || issuer.Fragment.Length > 0 || issuer.UserInfo.Length > 0)
        {
            problems.Add($"{Key}:Issuer: '{settings.Issuer}' is not an absolute http(s) URL without query, fragment or user info.");
        }

        if (!AssertionSettings.Algorithms.Contains(settings.Algorithm, StringComparer.Ordinal))
        {
            problems.Add($"{Key}:Algorithm: '{settings.Algorithm}' is not one of {string.Join(" | ", AssertionSettings.Algorithms)}.");
        }

        var shortest = TimeSpan.FromMinutes(15);
        if (settings.KeyLifetime < shortest || settings.KeyLifetime > TimeSpan.FromDays(365))
        {
            problems.Add($"{Key}:KeyLifetime: between 00:15:00 and 365.00:00:00 (the next key is published one whole lifetime before it signs).");
        }

        if (settings.KeyFile is not null && options.Redis.Configuration is not null)
        {
            problems.Add($"{Key}:KeyFile: not used with Redis, where the fleet's keys are kept (encrypted); remove one of the two.");
        }
        else if (settings.KeyFile is { } file && string.IsNullOrWhiteSpace(file))
        {
            problems.Add($"{Key}:KeyFile: empty; name a file, or remove the setting to make keys at start.");
        }

        foreach (var (name, api) in options.Apis)
        {
            if (api.Assertion is { } assertion)
            {
                ValidateApi($"{WamsGatewayOptions.SectionName}:Apis:{name}:Assertion", assertion, options, credentialHeaders, ownedPrefixes, problems);
            }
        }
    }

    private static void ValidateApi(string key, ApiAssertionSettings assertion, WamsGatewayOptions options, HashSet<string> credentialHeaders, IReadOnlyList<string> ownedPrefixes, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(assertion.Audience))
        {
            problems.Add($"{key}:Audience: required; the backend's identifier, which it checks as the assertion's aud.");
        }

        var header = assertion.Header;
        if (!HttpHeaderNames.IsToken(header) || HttpHeaderNames.IsProtocolHeader(header))
        {
            problems.Add($"{key}:Header: '{header}' is not a header name that can carry an assertion (a valid name, not one HTTP or the gateway reserves).");
        }
        else if (!HttpHeaderNames.IsFreeForGatewayUse(header, ownedPrefixes) || credentialHeaders.Contains(header)
            || options.IdentityHeaders.Keys.Contains(header, HeaderNameComparer.Instance))
        {
            problems.Add($"{key}:Header: '{header}' is already a credential, identity or forwarding header the gateway sets; give the assertion a header of its own.");
        }

        if (assertion.Lifetime < TimeSpan.FromSeconds(5) || assertion.Lifetime > AssertionSettings.MaxLifetime)
        {
            problems.Add($"{key}:Lifetime: {assertion.Lifetime.ToString("c", CultureInfo.InvariantCulture)} is outside 00:00:05 to 00:10:00.");
        }
    }
}
