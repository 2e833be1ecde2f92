namespace WamsGateway.Exchanges.Auth0Delegation;

/// <summary><c>Exchange: Auth0Delegation</c> settings (docs/configuration.md).</summary>
public sealed class Auth0DelegationOptions : BearerExchangeOptions
{
    /// <summary>The client id of the application whose add-on issues the token.</summary>
    public string? Target { get; set; }

    /// <summary>The add-on: app (default), wams, firebase, ...</summary>
    public string? ApiType { get; set; }

    /// <summary><c>/delegation</c>'s address; default <c>{Authority}delegation</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The client id sent; default the caller's <c>azp</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary>The scope asked for; default <c>openid</c>.</summary>
    public string? Scope { get; set; }
}
