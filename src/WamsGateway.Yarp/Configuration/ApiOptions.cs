namespace WamsGateway.Configuration;

/// <summary>
/// One downstream API, <c>Gateway:Apis:&lt;name&gt;</c>: the settings every API has. Everything else in
/// the section belongs to its exchange kind, bound to that kind's own options type.
/// </summary>
public sealed class ApiOptions
{
    /// <summary>The exchange kind's registered name: None, Passthrough, Auth0Delegation, TokenExchange, WamsMint, AwsSts, or a host's own.</summary>
    public string? Exchange { get; set; }

    /// <summary><c>azp</c> / <c>client_id</c> values allowed to call this API; empty means any authenticated client.</summary>
    public List<string>? AllowedClients { get; set; }

    /// <summary>Every one must be in the token's <c>scope</c> or <c>permissions</c>.</summary>
    public List<string>? RequiredScopes { get; set; }

    /// <summary>
    /// A header this API's callers may send their token in instead of <c>Authorization</c> (<c>X-ZUMO-AUTH</c>,
    /// for Mobile Services apps that keep their SDK); null: <c>Authorization</c> only.
    /// </summary>
    public string? TokenHeader { get; set; }

    /// <summary>
    /// The authorities whose tokens this API accepts, by name (<c>default</c> for <c>Gateway:Authentication</c>'s own);
    /// null: every configured authority.
    /// </summary>
    public List<string>? Authorities { get; set; }

    /// <summary>
    /// The audiences this API accepts: a token must carry one of them (compared exactly); null: any its authority accepts.
    /// </summary>
    public List<string>? Audiences { get; set; }

    /// <summary>
    /// The actors whose delegated tokens (RFC 8693 <c>act</c>) this API accepts, by the actor's <c>sub</c> or <c>client_id</c>;
    /// null or empty: a token carrying <c>act</c> is refused (401), as on routes without an API.
    /// </summary>
    public List<string>? AllowedActors { get; set; }

    /// <summary>A <c>Gateway:RateLimits</c> policy applied to every request to this API; null: none.</summary>
    public string? RateLimit { get; set; }

    /// <summary>A <c>Gateway:RateLimits</c> policy applied to this API's exchanges only (cache misses); null: none.</summary>
    public string? ExchangeRateLimit { get; set; }

    /// <summary>A signed assertion of the caller on every request to this API's backend; null: none.</summary>
    public Assertions.ApiAssertionSettings? Assertion { get; set; }

    /// <summary>
    /// The exchange kind's own options, an instance of its options type (<c>TokenExchangeOptions</c>, <c>Auth0DelegationOptions</c>,
    /// <c>WamsMintOptions</c>, <c>AwsStsOptions</c>, a host kind's own; <see cref="Exchanges.NoOptions"/> for None and Passthrough).
    /// From configuration they are bound from the API's own section, not from a key of this name; set in code, null is the
    /// kind's defaults.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public object? Settings { get; set; }

    /// <summary>The API needs a signed-in caller: its kind does (an unknown kind is assumed to), its policy names clients or scopes, or it asks for assertions.</summary>
    internal bool RequiresCaller(Exchanges.IExchangeKind? kind) =>
        kind?.RequiresCaller != false || AllowedClients is { Count: > 0 } || RequiredScopes is { Count: > 0 } || Assertion is not null;
}
