namespace WamsGateway.Exchanges;

/// <summary>
/// Marks a setting of an exchange kind's options that is a secret (a client secret, a master key): what the gateway
/// shows of its configuration (the state report, the dashboard) says only whether it is set. Names that read as a
/// secret (containing Secret, Key, Password, Token or Credential) are treated so too.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class SecretAttribute : Attribute
{
}
