namespace WamsGateway.Exchanges.AwsSts.SigV4;

/// <summary>
/// The one place that knows S3 is signed differently from every other AWS service: its canonical
/// path is not normalised, and a body too large to hash may go as UNSIGNED-PAYLOAD.
/// </summary>
internal static class AwsServices
{
    public const string S3 = "s3";

    public static bool IsS3(string? service) => string.Equals(service, S3, StringComparison.OrdinalIgnoreCase);

    public static SigV4PathStyle PathStyle(string? service) => IsS3(service) ? SigV4PathStyle.S3 : SigV4PathStyle.Normalized;
}
