using System.Globalization;
using System.Text.Json;
using WamsGateway.Delegation;
using WamsGateway.Exchanges.Auth0;

namespace WamsGateway.Exchanges.AwsSts;

/// <summary>AWS credentials from Auth0's AWS add-on: <c>/delegation</c> with <c>api_type=aws</c>, the API's role and principal.</summary>
internal static class Auth0AwsAddOn
{
    public static async Task<DelegatedCredential> GetAsync(HttpClient http, ExchangeRequest<AwsStsOptions> request, string defaultAuthority, TimeProvider time,
        TimeSpan defaultRetryAfter, CancellationToken cancellationToken)
    {
        var api = request.Options;
        var response = await Auth0DelegationCall.SendAsync(http, request, new Auth0DelegationCall.Target(api.Endpoint, api.ClientId, api.Target!, api.Scope),
            request.Authority ?? defaultAuthority, "aws", [new("role", api.RoleArn!), new("principal", api.PrincipalArn!)], cancellationToken);

        // Failures read the same as any token endpoint's; a success carries STS-shaped Credentials.
        ProviderAnswers.ThrowIfFailed(response, time, defaultRetryAfter);
        if (response.Json is not { ValueKind: JsonValueKind.Object } json
            || !json.TryGetProperty("Credentials", out var c) || c.ValueKind != JsonValueKind.Object
            || Text(c, "AccessKeyId") is not { } keyId || Text(c, "SecretAccessKey") is not { } secret || Text(c, "SessionToken") is not { } session
            || !DateTimeOffset.TryParse(Text(c, "Expiration"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration))
        {
            throw new DelegationException(DelegationFailure.InvalidResponse, "The delegation answer has no usable Credentials.");
        }

        return new AwsCredential(keyId, secret, session, expiration);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
