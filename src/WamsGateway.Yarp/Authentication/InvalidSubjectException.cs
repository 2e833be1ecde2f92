using Microsoft.IdentityModel.Tokens;

namespace WamsGateway.Authentication;

/// <summary>A token whose <c>sub</c> is missing, empty or not a JSON string: no user the gateway could name to a backend.</summary>
internal sealed class InvalidSubjectException : SecurityTokenValidationException
{
    public const string Description = "The token's sub is not one non-empty string";

    public InvalidSubjectException()
        : base(Description)
    {
    }

    public InvalidSubjectException(string message)
        : base(message)
    {
    }

    public InvalidSubjectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
