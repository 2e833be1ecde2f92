using System.Net.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace WamsGateway.Exchanges.AwsSts.SigV4;

/// <summary>
/// Signs a proxied request as it will be sent, so the signature covers the method, path, query and host the backend
/// really gets. Any client-sent <c>Authorization</c> and <c>x-amz-*</c> header is removed first.
/// </summary>
internal static class SigV4RequestSigner
{
    public static void Sign(HttpRequestMessage request, AwsSigningContext signing, DateTimeOffset now)
    {
        var headers = request.Headers;
        headers.Authorization = null;
        foreach (var name in headers.Select(h => h.Key).Where(IsAmz).ToList())
        {
            headers.Remove(name);
        }

        headers.TryAddWithoutValidation("X-Amz-Date", SigV4Signer.AmzDate(now));
        headers.TryAddWithoutValidation("X-Amz-Security-Token", signing.Credentials.SessionToken);
        headers.TryAddWithoutValidation("x-amz-content-sha256", signing.PayloadHash);

        var uri = request.RequestUri!;
        var host = headers.Host ?? (uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}");
        var toSign = new List<KeyValuePair<string, string>> { new(HeaderNames.Host, host) };
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            toSign.Add(new(HeaderNames.ContentType, contentType.ToString()));
        }

        foreach (var header in headers.Where(h => IsAmz(h.Key)))
        {
            toSign.AddRange(header.Value.Select(v => new KeyValuePair<string, string>(header.Key, v)));
        }

        var signature = SigV4Signer.Sign(
            new SigV4Request(request.Method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'), toSign, signing.PayloadHash),
            new SigV4Credentials(signing.Credentials.AccessKeyId, signing.Credentials.SecretAccessKey, signing.Credentials.SessionToken),
            signing.Region,
            signing.Service,
            now,
            AwsServices.PathStyle(signing.Service));
        headers.TryAddWithoutValidation(HeaderNames.Authorization, signature.Authorization);
    }

    private static bool IsAmz(string name) => name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase);
}
