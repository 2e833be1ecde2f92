namespace LocalAuthority.Tokens;

/// <summary>RFC 6749 section 5.2 error answers.</summary>
public static class OAuthErrors
{
    public static IResult Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
