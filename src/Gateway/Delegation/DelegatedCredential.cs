namespace WamsGateway.Delegation;

/// <summary>What an exchange yields for one API: the credential and when it stops working.</summary>
public sealed record DelegatedCredential(string Token, DateTimeOffset ExpiresAt);
