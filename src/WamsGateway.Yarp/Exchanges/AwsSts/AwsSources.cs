namespace WamsGateway.Exchanges.AwsSts;

/// <summary>Where an <c>AwsSts</c> API's temporary credentials come from (<c>Gateway:Apis:&lt;name&gt;:Source</c>).</summary>
internal static class AwsSources
{
    /// <summary>STS AssumeRoleWithWebIdentity with the caller's token.</summary>
    public const string WebIdentity = "WebIdentity";

    /// <summary>Auth0's /delegation with api_type aws (the AWS add-on).</summary>
    public const string Auth0Delegation = "Auth0Delegation";
}
