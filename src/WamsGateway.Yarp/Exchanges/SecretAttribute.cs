namespace WamsGateway.Exchanges;

/// <summary>
/// Marks a setting of an exchange kind's options that is a secret (a client secret, a master key): what the gateway
/// shows of its configuration (the state report, the dashboard) says only whether it is set. Settings named as a
/// secret (ending in Secret, Key, Password, Passphrase, Token or Credential(s)) are treated so too.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class SecretAttribute : Attribute
{
}
