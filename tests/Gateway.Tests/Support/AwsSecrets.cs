using System.Security.Cryptography;
using System.Text;

namespace WamsGateway.Tests.Support;

/// <summary>
/// The AWS secrets behind what a backend received: each session token as sent, and each secret key,
/// derived from the access key id the way the local authority derives it.
/// </summary>
public static class AwsSecrets
{
    public static IReadOnlyList<string> From(IEnumerable<ReceivedRequest> requests)
    {
        var secrets = new List<string>();
        foreach (var request in requests)
        {
            var authorization = request.Header("Authorization").FirstOrDefault(a => a.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal));
            if (authorization is null)
            {
                continue;
            }

            var accessKeyId = authorization.Split("Credential=")[1].Split('/')[0];
            secrets.Add(Convert.ToBase64String(HMACSHA256.HashData(
                Encoding.UTF8.GetBytes(DelegationFixture.AwsRootSecret), Encoding.UTF8.GetBytes("secret:" + accessKeyId)))[..40]);
            secrets.AddRange(request.Header("X-Amz-Security-Token"));
        }

        return secrets;
    }
}
