using Microsoft.IdentityModel.Tokens;

namespace WamsGateway.Authentication;

/// <summary>
/// A token whose payload is refused before any key is fetched (<see cref="TokenPayload.Refusal"/>): a member named twice,
/// or a <c>sub</c> that is not one non-empty string. The message is the challenge's description (<see cref="TokenPayload.Describe"/>).
/// </summary>
internal sealed class TokenPayloadException : SecurityTokenValidationException
{
    public TokenPayloadException()
    {
    }

    public TokenPayloadException(string message)
        : base(message)
    {
    }

    public TokenPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
