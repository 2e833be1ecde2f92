using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LocalAuthority.Tokens;

namespace LocalAuthority.Aws;

/// <summary>
/// The STS query API's <c>AssumeRoleWithWebIdentity</c> at <c>POST /</c>, answering in STS's XML
/// (docs/protocols.md, STS). The web identity token must be one this authority issued.
/// </summary>
public static partial class StsEndpoint
{
    private static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";

    public static void MapSts(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/", HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext context, SubjectTokens subjects, AwsCredentialIssuer issuer, ExchangeControl control, TimeProvider time)
    {
        control.CountSts();
        if (control.StsError is { } code)
        {
            return Error(code, "Failure mode.");
        }

        switch (control.Mode)
        {
            case FailureMode.Refuse:
                return Error("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity (failure mode).");
            case FailureMode.Unavailable:
                context.Response.Headers.RetryAfter = "7";
                return Error("ServiceUnavailable", "Try again later (failure mode).");
            case FailureMode.ServerError:
                return Error("InternalFailure", "Something broke (failure mode).");
            case FailureMode.Garbage:
                return Results.Content("<html><body>Something went wrong</body></html>", "text/html");
            case FailureMode.Slow:
                await Task.Delay(TimeSpan.FromSeconds(10), time, context.RequestAborted);
                break;
        }

        if (!context.Request.HasFormContentType)
        {
            return Error("InvalidAction", "Send the query API's form.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["Action"] != "AssumeRoleWithWebIdentity")
        {
            return Error("InvalidAction", "Only AssumeRoleWithWebIdentity is served here.");
        }

        if (!issuer.Configured)
        {
            return Error("InternalFailure", "LocalAuthority:AwsRootSecret is not set.");
        }

        var roleArn = form["RoleArn"].ToString();
        var sessionName = form["RoleSessionName"].ToString();
        var duration = int.TryParse(form["DurationSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : 3600;
        if (!RoleArnPattern().IsMatch(roleArn) || !SessionNamePattern().IsMatch(sessionName) || duration is < 900 or > 43200)
        {
            return Error("ValidationError", "RoleArn, RoleSessionName or DurationSeconds is not valid.");
        }

        var subject = await subjects.ValidateAsync(form["WebIdentityToken"], audience: null);
        if (subject is null)
        {
            return Error("InvalidIdentityToken", "The web identity token is not valid.");
        }

        var sub = subject.FindFirst("sub")?.Value ?? string.Empty;
        var credentials = issuer.Issue(sub, roleArn, sessionName, TimeSpan.FromSeconds(duration));
        var document = new XElement(Ns + "AssumeRoleWithWebIdentityResponse",
            new XElement(Ns + "AssumeRoleWithWebIdentityResult",
                new XElement(Ns + "SubjectFromWebIdentityToken", sub),
                new XElement(Ns + "Audience", subject.FindFirst("aud")?.Value),
                new XElement(Ns + "AssumedRoleUser",
                    new XElement(Ns + "Arn", AssumedRoleArn(roleArn, sessionName)),
                    new XElement(Ns + "AssumedRoleId", "AROA" + credentials.AccessKeyId[4..] + ":" + sessionName)),
                new XElement(Ns + "Credentials",
                    new XElement(Ns + "SessionToken", credentials.SessionToken),
                    new XElement(Ns + "SecretAccessKey", credentials.SecretAccessKey),
                    new XElement(Ns + "Expiration", credentials.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
                    new XElement(Ns + "AccessKeyId", credentials.AccessKeyId)),
                new XElement(Ns + "Provider", subject.FindFirst("iss")?.Value)),
            new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", Guid.NewGuid())));
        return Results.Content(document.ToString(SaveOptions.DisableFormatting), "text/xml");
    }

    public static string AssumedRoleArn(string roleArn, string sessionName)
    {
        var account = roleArn.Split(':')[4];
        var role = roleArn[(roleArn.IndexOf(":role/", StringComparison.Ordinal) + 6)..];
        return $"arn:aws:sts::{account}:assumed-role/{role}/{sessionName}";
    }

    /// <summary>STS's error document, with the status STS uses for each code.</summary>
    private static IResult Error(string code, string message)
    {
        var status = code switch
        {
            "AccessDenied" or "IDPRejectedClaim" => StatusCodes.Status403Forbidden,
            "ServiceUnavailable" => StatusCodes.Status503ServiceUnavailable,
            "InternalFailure" => StatusCodes.Status500InternalServerError,
            _ => StatusCodes.Status400BadRequest,
        };
        var document = new XElement(Ns + "ErrorResponse",
            new XElement(Ns + "Error", new XElement(Ns + "Type", status >= 500 ? "Receiver" : "Sender"), new XElement(Ns + "Code", code), new XElement(Ns + "Message", message)),
            new XElement(Ns + "RequestId", Guid.NewGuid()));
        return Results.Content(document.ToString(SaveOptions.DisableFormatting), "text/xml", statusCode: status);
    }

    [GeneratedRegex(@"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$")]
    private static partial Regex SessionNamePattern();
}
