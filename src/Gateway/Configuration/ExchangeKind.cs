namespace WamsGateway.Configuration;

/// <summary>How the gateway obtains the credential an API receives (<c>Gateway:Apis:&lt;name&gt;:Exchange</c>).</summary>
public enum ExchangeKind
{
    /// <summary>No credential: the backend gets the identity headers only.</summary>
    None,

    /// <summary>The caller's own bearer token travels on unchanged.</summary>
    Passthrough,

    /// <summary>Auth0's legacy <c>/delegation</c> endpoint.</summary>
    Auth0Delegation,

    /// <summary>OAuth 2.0 Token Exchange (RFC 8693).</summary>
    TokenExchange,

    /// <summary>The gateway mints the Azure Mobile Services (ZUMO) token itself.</summary>
    WamsMint,

    /// <summary>AWS STS temporary credentials, then SigV4 on every forwarded request.</summary>
    AwsSts,
}
