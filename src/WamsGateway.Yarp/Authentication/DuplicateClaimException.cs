using Microsoft.IdentityModel.Tokens;

namespace WamsGateway.Authentication;

/// <summary>A token whose payload names a member twice: which one counts would depend on the parser (RFC 7519 section 4).</summary>
internal sealed class DuplicateClaimException : SecurityTokenMalformedException
{
    public const string Description = "The token names a claim more than once";

    public DuplicateClaimException()
        : base(Description)
    {
    }

    public DuplicateClaimException(string message)
        : base(message)
    {
    }

    public DuplicateClaimException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
