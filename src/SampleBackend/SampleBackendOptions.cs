namespace SampleBackend;

/// <summary>The <c>SampleBackend</c> section (README, "The sample backend").</summary>
public sealed class SampleBackendOptions
{
    public const string SectionName = "SampleBackend";

    /// <summary>The WAMS master key; ZUMO tokens are HS256-signed with SHA-256(MasterKey + "JWTSig").</summary>
    public string? MasterKey { get; set; }

    /// <summary>
    /// The root secret the local authority derives AWS-style secret keys from and signs session
    /// tokens with; needed by the <c>/aws/...</c> endpoints to check SigV4 signatures.
    /// </summary>
    public string? AwsRootSecret { get; set; }

    /// <summary>The SQLite file; created with its folder when missing.</summary>
    public string Database { get; set; } = ".local/samplebackend/todo.db";
}
