using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;

namespace WamsGateway.Delegation;

/// <summary>
/// Temporary AWS credentials for the caller: STS <c>AssumeRoleWithWebIdentity</c> with the caller's
/// token (AWSSDK.SecurityToken, anonymous, pointed at <c>StsEndpoint</c>), or Auth0's AWS add-on
/// through <c>/delegation</c> with <c>api_type=aws</c>. Requests are then SigV4-signed on the way out.
/// </summary>
internal sealed partial class AwsStsClient : IDelegationClient, IDisposable
{
    private const string DefaultStsEndpoint = "https://sts.amazonaws.com";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly AuthenticationSettings _authentication;
    private readonly DelegationSettings _settings;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, AmazonSecurityTokenServiceClient> _stsClients = new(StringComparer.Ordinal);

    public AwsStsClient(IHttpClientFactory httpClientFactory, IOptions<GatewayOptions> options, TimeProvider time)
    {
        _httpClientFactory = httpClientFactory;
        _authentication = options.Value.Authentication;
        _settings = options.Value.Delegation;
        _time = time;
    }

    public ExchangeKind Kind => ExchangeKind.AwsSts;

    public Task<DelegatedCredential> ExchangeAsync(DelegationRequest request, CancellationToken cancellationToken) =>
        request.Options.Source == AwsSources.Auth0Delegation
            ? FromAuth0Async(request, cancellationToken)
            : FromWebIdentityAsync(request, cancellationToken);

    public void Dispose()
    {
        foreach (var client in _stsClients.Values)
        {
            client.Dispose();
        }
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

    private async Task<DelegatedCredential> FromWebIdentityAsync(DelegationRequest request, CancellationToken cancellationToken)
    {
        var api = request.Options;
        var sts = _stsClients.GetOrAdd(request.Api.Name, _ => new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), new AmazonSecurityTokenServiceConfig
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

            return new DelegatedCredential(string.Empty, new DateTimeOffset(DateTime.SpecifyKind(credentials.Expiration.Value.ToUniversalTime(), DateTimeKind.Utc)),
                new AwsCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken));
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
                SafeCode((ex as AmazonServiceException)?.ErrorCode), _settings.DefaultRetryAfter, ex);
        }
    }

    private async Task<DelegatedCredential> FromAuth0Async(DelegationRequest request, CancellationToken cancellationToken)
    {
        var api = request.Options;
        var response = await Auth0DelegationCall.SendAsync(_httpClientFactory.CreateClient(DelegationExtensions.HttpClientName), request,
            _authentication.Authority!, "aws", [new("role", api.RoleArn!), new("principal", api.PrincipalArn!)], cancellationToken);

        // Failures read the same as any token endpoint's; a success carries STS-shaped Credentials.
        ProviderAnswers.ThrowIfFailed(response, _time, _settings.DefaultRetryAfter);
        if (response.Json is not { ValueKind: JsonValueKind.Object } json
            || !json.TryGetProperty("Credentials", out var c) || c.ValueKind != JsonValueKind.Object
            || Text(c, "AccessKeyId") is not { } keyId || Text(c, "SecretAccessKey") is not { } secret || Text(c, "SessionToken") is not { } session
            || !DateTimeOffset.TryParse(Text(c, "Expiration"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration))
        {
            throw new DelegationException(DelegationFailure.InvalidResponse, "The delegation answer has no usable Credentials.");
        }

        return new DelegatedCredential(string.Empty, expiration, new AwsCredentials(keyId, secret, session));
    }

    private static bool IsRefusal(AmazonServiceException ex) =>
        ex.ErrorCode is not ("Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "IDPCommunicationError")
        && (ex is InvalidIdentityTokenException or ExpiredTokenException or IDPRejectedClaimException
            || ex.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);

    private static string? SafeCode(string? code) => code is not null && SafeCodePattern().IsMatch(code) ? code : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"[^\w+=,.@-]")]
    private static partial Regex SessionNameInvalid();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    private static partial Regex SafeCodePattern();
}
