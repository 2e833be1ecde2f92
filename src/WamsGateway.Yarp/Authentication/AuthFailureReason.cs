using Microsoft.IdentityModel.Tokens;

namespace WamsGateway.Authentication;

/// <summary>A short, token-free name for why a token failed: safe for logs and metric labels.</summary>
internal static class AuthFailureReason
{
    public static string From(Exception? exception) => exception switch
    {
        AggregateException aggregate when aggregate.InnerExceptions.Count > 0 => From(aggregate.InnerExceptions[0]),
        TokenDateException => "invalid_date",
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not_yet_valid",
        SecurityTokenNoExpirationException => "no_expiration",
        SecurityTokenInvalidLifetimeException => "invalid_lifetime",
        SecurityTokenInvalidAudienceException => "invalid_audience",
        SecurityTokenInvalidIssuerException => "invalid_issuer",
        SecurityTokenInvalidAlgorithmException => "invalid_algorithm",
        SecurityTokenSignatureKeyNotFoundException => "unknown_key",
        SecurityTokenInvalidSignatureException => "invalid_signature",
        SecurityTokenMalformedException => "malformed",
        AuthorityUnavailableException => "authority_unavailable",
        null => "unknown",
        _ => "invalid_token",
    };
}
