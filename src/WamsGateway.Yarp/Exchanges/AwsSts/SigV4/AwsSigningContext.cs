namespace WamsGateway.Exchanges.AwsSts.SigV4;

/// <summary>Everything the signing handler needs for one request.</summary>
internal sealed record AwsSigningContext(AwsCredential Credentials, string Region, string Service, string PayloadHash);

/// <summary>The signed payload hash of this request, or UNSIGNED-PAYLOAD.</summary>
internal sealed record AwsPayloadFeature(string PayloadHash);
