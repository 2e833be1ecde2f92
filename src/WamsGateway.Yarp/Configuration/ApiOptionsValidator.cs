using WamsGateway.Exchanges;

namespace WamsGateway.Configuration;

/// <summary>The checks on each API under <c>Gateway:Apis</c> that are not a feature's own: its lists, its kind and the kind's settings, its <c>TokenHeader</c>.</summary>
internal sealed class ApiOptionsValidator : GatewaySettingsValidator
{
    private readonly ExchangeKinds _kinds;

    public ApiOptionsValidator(ExchangeKinds kinds)
    {
        _kinds = kinds;
    }

    protected override void Validate(WamsGatewayOptions options, List<string> problems)
    {
        foreach (var (api, settings) in options.Apis)
        {
            ValidateApi($"{WamsGatewayOptions.SectionName}:Apis:{api}", settings, problems);
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

        if (!registration.OptionsType.IsInstanceOfType(api.Settings))
        {
            problems.Add($"{key}:Settings: a {registration.Name} API's settings are a {registration.OptionsType.Name}, not a {api.Settings.GetType().Name}.");
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
}
