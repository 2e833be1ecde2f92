using System.Text.Json.Serialization;

namespace WamsGateway.Assertions;

/// <summary>
/// <c>Gateway:Assertion</c>: the gateway as the issuer of the signed assertions backends verify
/// (docs/configuration.md, "Backends that verify the caller"). Read at start.
/// </summary>
public sealed class AssertionSettings
{
    /// <summary>How long backends may cache the discovery document and the key set (<c>Cache-Control: max-age</c>).</summary>
    public static readonly TimeSpan JwksMaxAge = TimeSpan.FromMinutes(5);

    /// <summary>The longest an assertion may live; a retired key stays published at least this long after it last signed.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The signing algorithms <see cref="Algorithm"/> may name.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["ES256", "RS256", "PS256"];

    /// <summary>The assertions' <c>iss</c>; backends read <c>{Issuer}.well-known/openid-configuration</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>ES256 (P-256), RS256 or PS256 (RSA 2048).</summary>
    public string Algorithm { get; set; } = "ES256";

    /// <summary>How long one key signs before the next takes over; the next is published this long before.</summary>
    public TimeSpan KeyLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Without Redis: a file that keeps the keys across restarts. With neither, keys are made at start.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The issuer as an absolute URL ending in <c>/</c>, its well-known documents under it.</summary>
    [JsonIgnore]
    internal Uri IssuerUri => new(Issuer!.EndsWith('/') ? Issuer : Issuer + "/");

    [JsonIgnore]
    internal string DiscoveryPath => IssuerUri.AbsolutePath + ".well-known/openid-configuration";

    [JsonIgnore]
    internal string JwksPath => IssuerUri.AbsolutePath + ".well-known/jwks.json";
}

/// <summary><c>Gateway:Apis:&lt;name&gt;:Assertion</c>: this API's backend gets a signed assertion of the caller on every request.</summary>
public sealed class ApiAssertionSettings
{
    /// <summary>The header the assertion goes in unless <see cref="Header"/> names another.</summary>
    public const string DefaultHeader = "X-Gateway-Assertion";

    /// <summary>The request header that carries it.</summary>
    public string Header { get; set; } = DefaultHeader;

    /// <summary>The backend's identifier: the assertion's <c>aud</c>. Required.</summary>
    public string? Audience { get; set; }

    /// <summary>At most <see cref="AssertionSettings.MaxLifetime"/>, and never past the caller's token's <c>exp</c>.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Adds <c>htm</c> and <c>htu</c> (RFC 9449's meaning): signed per request, valid for that method and URL only.</summary>
    public bool BindRequest { get; set; }
}
