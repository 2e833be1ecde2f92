namespace LocalAuthority;

/// <summary>The <c>LocalAuthority</c> section: an Auth0-shaped issuer for local runs and tests.</summary>
public sealed class LocalAuthorityOptions
{
    public const string SectionName = "LocalAuthority";

    /// <summary>The issuer with its trailing slash; default: the first address it listens on.</summary>
    public string? Issuer { get; set; }

    /// <summary>Where the RSA signing keys are kept so a restart keeps them.</summary>
    public string KeyFile { get; set; } = ".local/authority/signing-keys.json";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The access token audience when a token request names none (Auth0's tenant default audience).</summary>
    public string? DefaultAudience { get; set; }

    /// <summary>Derives the secret keys and signs the session tokens of the AWS-style credentials it issues; the sample backend shares it.</summary>
    public string? AwsRootSecret { get; set; }

    /// <summary>Off by default: only loopback callers are answered.</summary>
    public bool AllowRemote { get; set; }

    public Dictionary<string, ClientOptions> Clients { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, UserOptions> Users { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class ClientOptions
{
    public string? Name { get; set; }

    /// <summary>Needed for grants that authenticate the client; public clients (mobile apps) have none.</summary>
    public string? Secret { get; set; }

    /// <summary>With the WAMS add-on on: the master key its ZUMO tokens are signed with when this client is a delegation target.</summary>
    public string? WamsMasterKey { get; set; }
}

public sealed class UserOptions
{
    public string Password { get; set; } = string.Empty;

    public string? Subject { get; set; }

    public string? Email { get; set; }

    public string? Name { get; set; }

    /// <summary>Auth0 RBAC permissions, put in access tokens as the <c>permissions</c> array.</summary>
    public List<string> Permissions { get; set; } = [];
}
