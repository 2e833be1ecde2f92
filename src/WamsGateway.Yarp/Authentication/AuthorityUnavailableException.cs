namespace WamsGateway.Authentication;

/// <summary>The authority's discovery document or keys could not be read, so no token can be validated.</summary>
internal sealed class AuthorityUnavailableException : Exception
{
    public AuthorityUnavailableException()
    {
    }

    public AuthorityUnavailableException(string message)
        : base(message)
    {
    }

    public AuthorityUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
