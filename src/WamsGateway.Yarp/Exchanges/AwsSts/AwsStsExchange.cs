using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using WamsGateway.Errors;
using WamsGateway.Exchanges.Auth0Delegation;
using WamsGateway.Exchanges.AwsSts.SigV4;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Exchanges.AwsSts;

/// <summary>
/// Temporary AWS credentials for the caller: STS <c>AssumeRoleWithWebIdentity</c> with the caller's
/// token (AWSSDK.SecurityToken, anonymous, pointed at <c>StsEndpoint</c>), or Auth0's AWS add-on
/// through <c>/delegation</c> with <c>api_type=aws</c>. Requests are then SigV4-signed in the route's transform, as
/// they will be sent (<see cref="SigV4RequestSigner"/>), their body hashed first when it is small enough.
/// </summary>
internal sealed partial class AwsStsExchange : ExchangeKind<AwsStsOptions>, IDisposable
{
    public const string Name = "AwsSts";

    private const string DefaultStsEndpoint = "https://sts.amazonaws.com";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptions<GatewayOptions> _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, AmazonSecurityTokenServiceClient> _stsClients = new(StringComparer.Ordinal);

    public AwsStsExchange(IHttpClientFactory httpClientFactory, IOptions<GatewayOptions> options, TimeProvider time)
    {
        _httpClientFactory = httpClientFactory;
        _options = options;
        _time = time;
    }

    public override IReadOnlyList<Type> CredentialTypes { get; } = [typeof(AwsCredential)];

    private TimeSpan DefaultRetryAfter => _options.Value.Delegation.DefaultRetryAfter;

    public override void Validate(AwsStsOptions options, ExchangeValidationContext context)
    {
        if (options.RoleArn is null || !options.RoleArn.StartsWith("arn:", StringComparison.Ordinal) || !options.RoleArn.Contains(":role/", StringComparison.Ordinal))
        {
            context.Problem("RoleArn", "required for AwsSts; an IAM role ARN such as arn:aws:iam::123456789012:role/app.");
        }

        if (string.IsNullOrWhiteSpace(options.Region))
        {
            context.Problem("Region", "required for AwsSts; the region requests are signed for, such as us-east-1.");
        }

        if (string.IsNullOrWhiteSpace(options.Service))
        {
            context.Problem("Service", "required for AwsSts; the service requests are signed for, such as s3 or execute-api.");
        }

        if (options.DurationSeconds is { } duration && (duration < 900 || duration > 43200))
        {
            context.Problem("DurationSeconds", "between 900 and 43200 (STS limits).");
        }

        if (options.MaxSignedBodyBytes is { } max && (max < 0 || max > 256L * 1024 * 1024))
        {
            context.Problem("MaxSignedBodyBytes", "between 0 and 268435456.");
        }

        switch (options.Source ?? AwsSources.WebIdentity)
        {
            case AwsSources.WebIdentity:
                context.RequireHttpsUrl("StsEndpoint", options.StsEndpoint);
                break;
            case AwsSources.Auth0Delegation:
                if (string.IsNullOrWhiteSpace(options.Target))
                {
                    context.Problem("Target", "required for Source Auth0Delegation; the client id of the application with the AWS add-on.");
                }

                if (options.PrincipalArn is null || !options.PrincipalArn.StartsWith("arn:", StringComparison.Ordinal))
                {
                    context.Problem("PrincipalArn", "required for Source Auth0Delegation; the SAML provider ARN Auth0 passes as principal.");
                }

                context.RequireHttpsUrl("Endpoint", options.Endpoint);
                break;
            default:
                context.Problem("Source", $"'{options.Source}' is not one of {AwsSources.WebIdentity} | {AwsSources.Auth0Delegation}.");
                break;
        }
    }

    /// <summary>
    /// Buffers a body up to the API's limit so its SHA-256 can be signed. Over the limit, S3 gets
    /// UNSIGNED-PAYLOAD (the body streams) and other services, which require a signed payload, get 413.
    /// </summary>
    public override async ValueTask<bool> PrepareAsync(HttpContext context, string apiName, AwsStsOptions options)
    {
        // Never more than the server itself accepts (Kestrel: 30 MB unless the host changed it).
        var limit = Math.Min(options.MaxSignedBodyBytes ?? AwsStsOptions.DefaultMaxSignedBodyBytes,
            context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? long.MaxValue);
        var request = context.Request;

        // HTTP/2 and HTTP/3 bodies need neither Content-Length nor Transfer-Encoding.
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null
            && (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.Headers.TransferEncoding.Count > 0));
        if (!hasBody)
        {
            context.Features.Set(new AwsPayloadFeature(SigV4Signer.EmptyPayloadHash));
            return true;
        }

        if (request.ContentLength > limit || (request.ContentLength is null && options.IsS3))
        {
            if (!options.IsS3)
            {
                await TooLargeAsync();
                return false;
            }

            context.Features.Set(new AwsPayloadFeature(SigV4Signer.UnsignedPayload));
            return true;
        }

        // Read once into the request's own buffer (memory, then a temporary file past 64 KB), hashing as it goes.
        request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: limit);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                hash.AppendData(chunk, 0, read);
            }
        }
        catch (Exception ex) when (ex is IOException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            // A body without a length that grew past the limit (the buffer's, or the server's).
            await TooLargeAsync();
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        request.Body.Position = 0;
        context.Features.Set(new AwsPayloadFeature(Convert.ToHexStringLower(hash.GetHashAndReset())));
        return true;

        Task TooLargeAsync()
        {
            // The rest of the body is not read: the connection cannot carry another request.
            context.Response.Headers.Connection = "close";
            return ProblemResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "payload_too_large",
                "The body is too large to sign", $"API '{apiName}' signs request bodies up to {limit} bytes.");
        }
    }

    /// <summary>
    /// Signs the request as it will leave: the route's own transforms (path, query, headers) and the Host the backend
    /// gets (YARP's Host transform runs before the gateway's) are applied by now, and the request URI is fixed here.
    /// Only this API's requests pass through the signer; every other route's client is YARP's, untouched.
    /// </summary>
    public override void Apply(RequestTransformContext context, AwsStsOptions options, DelegatedCredential credential)
    {
        var aws = credential as AwsCredential
            ?? throw new InvalidOperationException($"The AwsSts exchange yielded a {credential.GetType().Name}.");
        var payloadHash = context.HttpContext.Features.Get<AwsPayloadFeature>()?.PayloadHash
            ?? throw new InvalidOperationException("The payload step did not run for a SigV4 route.");
        var request = context.ProxyRequest;
        request.RequestUri = Yarp.ReverseProxy.Forwarder.RequestUtilities.MakeDestinationAddress(context.DestinationPrefix, context.Path, context.Query.QueryString);
        SigV4RequestSigner.Sign(request, new AwsSigningContext(aws, options.Region!, options.Service!, payloadHash), _time.GetUtcNow());
    }

    public override Task<DelegatedCredential> ExchangeAsync(ExchangeRequest<AwsStsOptions> request, CancellationToken cancellationToken) =>
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

    private async Task<DelegatedCredential> FromWebIdentityAsync(ExchangeRequest<AwsStsOptions> request, CancellationToken cancellationToken)
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
                SafeCode((ex as AmazonServiceException)?.ErrorCode), DefaultRetryAfter, ex);
        }
    }

    private async Task<DelegatedCredential> FromAuth0Async(ExchangeRequest<AwsStsOptions> request, CancellationToken cancellationToken)
    {
        var api = request.Options;
        var response = await Auth0DelegationCall.SendAsync(_httpClientFactory.CreateClient(DelegationExtensions.HttpClientName), request,
            new Auth0DelegationCall.Target(api.Endpoint, api.ClientId, api.Target!, api.Scope), request.Authority ?? _options.Value.Authentication.Authority!, "aws", [new("role", api.RoleArn!), new("principal", api.PrincipalArn!)], cancellationToken);

        // Failures read the same as any token endpoint's; a success carries STS-shaped Credentials.
        ProviderAnswers.ThrowIfFailed(response, _time, DefaultRetryAfter);
        if (response.Json is not { ValueKind: JsonValueKind.Object } json
            || !json.TryGetProperty("Credentials", out var c) || c.ValueKind != JsonValueKind.Object
            || Text(c, "AccessKeyId") is not { } keyId || Text(c, "SecretAccessKey") is not { } secret || Text(c, "SessionToken") is not { } session
            || !DateTimeOffset.TryParse(Text(c, "Expiration"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration))
        {
            throw new DelegationException(DelegationFailure.InvalidResponse, "The delegation answer has no usable Credentials.");
        }

        return new AwsCredential(keyId, secret, session, expiration);
    }

    // One SDK client per endpoint and region, so a reloaded StsEndpoint is used at once.
    private static string StsClientKey(AwsStsOptions api) => $"{api.StsEndpoint ?? DefaultStsEndpoint}|{api.Region}";

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
