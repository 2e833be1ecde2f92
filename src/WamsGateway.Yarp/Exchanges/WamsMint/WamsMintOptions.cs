namespace WamsGateway.Exchanges.WamsMint;

/// <summary><c>Exchange: WamsMint</c> settings (docs/configuration.md).</summary>
public sealed class WamsMintOptions : BearerExchangeOptions
{
    /// <summary>The WAMS master key the backend validates <c>X-ZUMO-AUTH</c> with. Never logged.</summary>
    [Secret]
    public string? MasterKey { get; set; }

    /// <summary>The token's lifetime, never past the caller's own; default one hour.</summary>
    public TimeSpan? Lifetime { get; set; }

    /// <summary>The token's <c>aud</c>; default the caller's <c>azp</c>.</summary>
    public string? Audience { get; set; }
}
