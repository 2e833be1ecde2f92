using WamsGateway.Configuration;
using WamsGateway.Exchanges;

namespace WamsGateway.Forwarding;

/// <summary>
/// The checks on <c>Gateway:IdentityHeaders</c>, <c>StripHeaders</c> and <c>KeepHeaders</c>: valid names, none that frames
/// the request, and no identity header that shares a name with a credential or forwarding header the gateway manages.
/// </summary>
internal sealed class HeaderSettingsValidator : GatewaySettingsValidator
{
    private readonly ExchangeKinds _kinds;

    public HeaderSettingsValidator(ExchangeKinds kinds)
    {
        _kinds = kinds;
    }

    protected override void Validate(WamsGatewayOptions options, List<string> problems)
    {
        ValidateIdentityHeaders(options.IdentityHeaders, problems);
        ValidateStripHeaders(options.StripHeaders, problems);
        ValidateKeepHeaders(options.KeepHeaders, problems);
        ValidateIdentityHeaderCollisions(options, problems);
    }

    /// <summary>
    /// An identity header must not share a name with a credential the gateway sets or a forwarding
    /// header: the backend would read a claim where it expects a credential or a client address.
    /// </summary>
    private void ValidateIdentityHeaderCollisions(WamsGatewayOptions options, List<string> problems)
    {
        var credentials = _kinds.CredentialHeaders(options);
        credentials.UnionWith(CredentialHeadersTransform.ForwardingHeaders);
        credentials.UnionWith(options.EffectiveStripHeaders);
        credentials.UnionWith(options.Apis.Values.Select(a => a.Assertion?.Header).OfType<string>());
        credentials.Add(Assertions.ApiAssertionSettings.DefaultHeader);
        var prefixes = _kinds.OwnedHeaderPrefixes;

        foreach (var (header, claim) in options.IdentityHeaders)
        {
            if (!string.IsNullOrEmpty(claim) && HttpHeaderNames.IsToken(header)
                && (credentials.Contains(header) || prefixes.Any(prefix => HeaderNameComparer.StartsWith(header, prefix))))
            {
                problems.Add($"{WamsGatewayOptions.SectionName}:IdentityHeaders:{header}: '{header}' carries a credential or a forwarding header the gateway manages; give the claim a header of its own.");
            }
        }
    }

    private static void ValidateIdentityHeaders(Dictionary<string, string> headers, List<string> problems)
    {
        foreach (var (header, _) in headers)
        {
            var key = $"{WamsGatewayOptions.SectionName}:IdentityHeaders:{header}";
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
        const string Key = WamsGatewayOptions.SectionName + ":StripHeaders";
        for (var i = 0; i < (headers?.Count ?? 0); i++)
        {
            var header = headers![i];
            if (string.IsNullOrEmpty(header) || !HttpHeaderNames.IsToken(header))
            {
                problems.Add($"{Key}:{i}: '{header}' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only).");
            }
            else if (HttpHeaderNames.Framing.Any(h => HeaderNameComparer.Instance.Equals(h, header)))
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
        const string Key = WamsGatewayOptions.SectionName + ":KeepHeaders";
        for (var i = 0; i < (headers?.Count ?? 0); i++)
        {
            if (!WamsGatewayOptions.MeaningChangingHeaders.Contains(headers![i], HeaderNameComparer.Instance)
                && !WamsGatewayOptions.MeaningChangingHeaderPrefixes.Contains(headers[i], HeaderNameComparer.Instance))
            {
                problems.Add($"{Key}:{i}: '{headers[i]}' is not a header (or prefix) the gateway strips by default that may be kept; one of {string.Join(", ", WamsGatewayOptions.MeaningChangingHeaders.Concat(WamsGatewayOptions.MeaningChangingHeaderPrefixes))}.");
            }
        }
    }
}
