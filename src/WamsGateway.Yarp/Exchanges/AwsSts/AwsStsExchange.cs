using Microsoft.Extensions.Options;
using WamsGateway.Configuration;
using WamsGateway.Delegation;
using WamsGateway.Exchanges.AwsSts.SigV4;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Exchanges.AwsSts;

/// <summary>
/// Temporary AWS credentials for the caller: STS <c>AssumeRoleWithWebIdentity</c> with the caller's
/// token (<see cref="StsWebIdentity"/>), or Auth0's AWS add-on through <c>/delegation</c> with <c>api_type=aws</c>
/// (<see cref="Auth0AwsAddOn"/>). Requests are then SigV4-signed in the route's transform, as
/// they will be sent (<see cref="SigV4RequestSigner"/>), their body hashed first when it is small enough.
/// </summary>
internal sealed class AwsStsExchange : ExchangeKind<AwsStsOptions>, IDisposable
{
    public const string Name = "AwsSts";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptions<WamsGatewayOptions> _options;
    private readonly TimeProvider _time;
    private readonly StsWebIdentity _webIdentity;

    public AwsStsExchange(IHttpClientFactory httpClientFactory, IOptions<WamsGatewayOptions> options, TimeProvider time)
    {
        _httpClientFactory = httpClientFactory;
        _options = options;
        _time = time;
        _webIdentity = new StsWebIdentity(httpClientFactory, () => DefaultRetryAfter);
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

    /// <summary>SigV4's headers: a backend behind an AWS-style gateway must never see a caller's own, on any route.</summary>
    public override IReadOnlyList<string> OwnedHeaderPrefixes { get; } = ["X-Amz-"];

    /// <summary>The body's SHA-256 for the signature (<see cref="AwsPayloadHashing"/>); 413 when it cannot be signed.</summary>
    public override ValueTask<bool> PrepareAsync(HttpContext context, string apiName, AwsStsOptions options) =>
        AwsPayloadHashing.PrepareAsync(context, apiName, options);

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
            ? Auth0AwsAddOn.GetAsync(_httpClientFactory.CreateClient(DelegationExtensions.HttpClientName), request, _options.Value.Authentication.Authority!, _time,
                DefaultRetryAfter, cancellationToken)
            : _webIdentity.GetAsync(request, cancellationToken);

    public void Dispose() => _webIdentity.Dispose();
}
