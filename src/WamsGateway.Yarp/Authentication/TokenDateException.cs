using Microsoft.IdentityModel.Tokens;

namespace WamsGateway.Authentication;

/// <summary>A validly signed token whose <c>exp</c>, <c>nbf</c> or <c>iat</c> is not a date the gateway can use.</summary>
internal sealed class TokenDateException : SecurityTokenValidationException
{
    public const string Description = "The token's exp, nbf or iat is not a single number of seconds between 1970 and 3000";

    public TokenDateException()
        : base(Description)
    {
    }

    public TokenDateException(string message)
        : base(message)
    {
    }

    public TokenDateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
