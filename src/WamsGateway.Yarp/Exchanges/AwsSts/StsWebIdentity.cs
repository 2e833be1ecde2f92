using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace WamsGateway.Exchanges.AwsSts;

/// <summary>
/// AWS credentials from STS <c>AssumeRoleWithWebIdentity</c> with the caller's token (AWSSDK.SecurityToken, anonymous,
/// pointed at the API's <c>StsEndpoint</c>, through the delegation client's resilience pipeline). STS's refusals are
/// <see cref="DelegationFailure.Denied"/>, its throttling and outages <see cref="DelegationFailure.Unavailable"/>.
/// </summary>
internal sealed partial class StsWebIdentity : IDisposable
{
    private const string DefaultStsEndpoint = "https://sts.amazonaws.com";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly Func<TimeSpan> _defaultRetryAfter;
    private readonly ConcurrentDictionary<string, AmazonSecurityTokenServiceClient> _stsClients = new(StringComparer.Ordinal);

    /// <param name="httpClientFactory">Gives the delegation client the SDK sends through.</param>
    /// <param name="defaultRetryAfter">The gateway's <c>Delegation:DefaultRetryAfter</c>, read when an outage is reported.</param>
    public StsWebIdentity(IHttpClientFactory httpClientFactory, Func<TimeSpan> defaultRetryAfter)
    {
        _httpClientFactory = httpClientFactory;
        _defaultRetryAfter = defaultRetryAfter;
    }

    /// <summary>2 to 64 characters of [\w+=,.@-]: the caller's sub with anything else replaced.</summary>
    internal static string RoleSessionName(string? subject)
    {
        var name = SessionNameInvalid().Replace(subject ?? string.Empty, "-");
        if (name.Length > 64)
        {
            name = name[..64];
        }

        return name.Length < 2 ? "wamsgateway-" + name : name;
    }

    public async Task<DelegatedCredential> GetAsync(ExchangeRequest<AwsStsOptions> request, CancellationToken cancellationToken)
    {
        var api = request.Options;
        var sts = _stsClients.GetOrAdd(StsClientKey(api), _ => new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = api.StsEndpoint ?? DefaultStsEndpoint,
            AuthenticationRegion = api.Region,
            // The delegation client's pipeline times out, retries once and breaks the circuit; the SDK must not add its own.
            MaxErrorRetry = 0,
            HttpClientFactory = new StsHttpClientFactory(_httpClientFactory),
        }));

        try
        {
            var response = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
            {
                RoleArn = api.RoleArn,
                RoleSessionName = RoleSessionName(request.User.FindFirst("sub")?.Value),
                WebIdentityToken = request.SubjectToken,
                DurationSeconds = api.DurationSeconds ?? 3600,
            }, cancellationToken);

            var credentials = response.Credentials
                ?? throw new DelegationException(DelegationFailure.InvalidResponse, "STS answered without Credentials.");
            if (credentials.AccessKeyId is null || credentials.SecretAccessKey is null || credentials.SessionToken is null || credentials.Expiration is null)
            {
                throw new DelegationException(DelegationFailure.InvalidResponse, "STS answered with incomplete Credentials.");
            }

            return new AwsCredential(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken,
                new DateTimeOffset(DateTime.SpecifyKind(credentials.Expiration.Value.ToUniversalTime(), DateTimeKind.Utc)));
        }
        catch (AmazonServiceException ex) when (ex is not IDPCommunicationErrorException && IsRefusal(ex))
        {
            throw new DelegationException(DelegationFailure.Denied, $"STS refused the web identity ({ex.ErrorCode}).", SafeCode(ex.ErrorCode) ?? $"http_{(int)ex.StatusCode}");
        }
        catch (AmazonUnmarshallingException ex)
        {
            throw new DelegationException(DelegationFailure.InvalidResponse, "STS's answer could not be read.", innerException: ex);
        }
        catch (AmazonServiceException ex) when (ex.InnerException is AmazonUnmarshallingException or System.Xml.XmlException)
        {
            throw new DelegationException(DelegationFailure.InvalidResponse, "STS's answer could not be read.", innerException: ex);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or Polly.ExecutionRejectedException
            or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new DelegationException(DelegationFailure.Unavailable, $"STS is unavailable ({(ex as AmazonServiceException)?.ErrorCode ?? ex.GetType().Name}).",
                SafeCode((ex as AmazonServiceException)?.ErrorCode), _defaultRetryAfter(), ex);
        }
    }

    public void Dispose()
    {
        foreach (var client in _stsClients.Values)
        {
            client.Dispose();
        }
    }

    // One SDK client per endpoint and region, so a reloaded StsEndpoint is used at once.
    private static string StsClientKey(AwsStsOptions api) => $"{api.StsEndpoint ?? DefaultStsEndpoint}|{api.Region}";

    private static bool IsRefusal(AmazonServiceException ex) =>
        ex.ErrorCode is not ("Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "IDPCommunicationError")
        && (ex is InvalidIdentityTokenException or ExpiredTokenException or IDPRejectedClaimException
            || ex.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);

    private static string? SafeCode(string? code) => code is not null && SafeCodePattern().IsMatch(code) ? code : null;

    [GeneratedRegex(@"[^\w+=,.@-]")]
    private static partial Regex SessionNameInvalid();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    private static partial Regex SafeCodePattern();
}
