using WamsGateway.Delegation;
using Yarp.ReverseProxy.Transforms;

namespace WamsGateway.Forwarding.SigV4;

/// <summary>
/// Hands the caller's AWS credentials and payload hash to <see cref="SigV4SigningHandler"/>, which
/// signs the outgoing request after every transform has run.
/// </summary>
internal sealed class AwsSigningTransform : RequestTransform
{
    private readonly string _region;
    private readonly string _service;

    public AwsSigningTransform(string region, string service)
    {
        _region = region;
        _service = service;
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var credentials = context.HttpContext.Features.Get<DelegatedCredentialFeature>()?.Credential.Aws
            ?? throw new InvalidOperationException("The delegation step did not provide AWS credentials for a SigV4 route.");
        var payloadHash = context.HttpContext.Features.Get<AwsPayloadFeature>()?.PayloadHash
            ?? throw new InvalidOperationException("The payload step did not run for a SigV4 route.");
        context.ProxyRequest.Options.Set(SigV4SigningHandler.ContextKey, new AwsSigningContext(credentials, _region, _service, payloadHash));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Everything the signing handler needs for one request.</summary>
internal sealed record AwsSigningContext(AwsCredentials Credentials, string Region, string Service, string PayloadHash);
