namespace WamsGateway.Exchanges.TokenExchange;

/// <summary><c>Exchange: TokenExchange</c> settings (RFC 8693; docs/configuration.md).</summary>
public sealed class TokenExchangeOptions : BearerExchangeOptions
{
    /// <summary>The token endpoint; default the authority's discovered <c>token_endpoint</c>.</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>The gateway's client id at the token endpoint.</summary>
    public string? ClientId { get; set; }

    /// <summary>Its secret. Never logged.</summary>
    [Secret]
    public string? ClientSecret { get; set; }

    /// <summary>How the gateway authenticates to the token endpoint: <c>Basic</c> (default) or <c>Body</c>.</summary>
    public ClientAuthentication? ClientAuthentication { get; set; }

    /// <summary>RFC 8693 <c>audience</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>RFC 8693 <c>resource</c>, an absolute URI.</summary>
    public string? Resource { get; set; }

    /// <summary>RFC 8693 <c>scope</c>.</summary>
    public string? Scope { get; set; }

    /// <summary>Default <c>urn:ietf:params:oauth:token-type:access_token</c>.</summary>
    public string? SubjectTokenType { get; set; }

    /// <summary>RFC 8693 <c>requested_token_type</c>.</summary>
    public string? RequestedTokenType { get; set; }
}

/// <summary>RFC 6749 section 2.3.1: client credentials in a Basic header, or in the form body.</summary>
public enum ClientAuthentication
{
    /// <summary><c>Authorization: Basic</c> with the client id and secret (the default).</summary>
    Basic,

    /// <summary><c>client_id</c> and <c>client_secret</c> in the form body.</summary>
    Body,
}
