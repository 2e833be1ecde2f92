using System.Net.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace WamsGateway.Exchanges.AwsSts.SigV4;

/// <summary>
/// The last step before the socket: signs requests that carry an <see cref="AwsSigningContext"/>, so
/// the signature covers the method, path, query and host the backend really gets. Any client-sent
/// <c>Authorization</c> and <c>x-amz-*</c> header is removed first.
/// </summary>
internal sealed class SigV4SigningHandler : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<AwsSigningContext> ContextKey = new("WamsGateway.SigV4");

    private readonly TimeProvider _time;

    public SigV4SigningHandler(HttpMessageHandler inner, TimeProvider time)
        : base(inner)
    {
        _time = time;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(ContextKey, out var signing))
        {
            Sign(request, signing, _time.GetUtcNow());
        }

        return base.SendAsync(request, cancellationToken);
    }

    internal static void Sign(HttpRequestMessage request, AwsSigningContext signing, DateTimeOffset now)
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

/// <summary>
/// Wraps the host's forwarder client factory (YARP's own unless the host replaced it): every cluster's
/// client ends with <see cref="SigV4SigningHandler"/>, which signs only requests an AwsSts route marked.
/// </summary>
internal sealed class SigningForwarderHttpClientFactory : Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory
{
    private readonly Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory _inner;
    private readonly TimeProvider _time;

    public SigningForwarderHttpClientFactory(Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory inner, TimeProvider time)
    {
        _inner = inner;
        _time = time;
    }

    public HttpMessageInvoker CreateClient(Yarp.ReverseProxy.Forwarder.ForwarderHttpClientContext context)
    {
        var client = _inner.CreateClient(context);

        // The inner factory kept the old client (the cluster's settings did not change): it signs already.
        return ReferenceEquals(client, context.OldClient)
            ? client
            : new HttpMessageInvoker(new SigV4SigningHandler(new InvokerHandler(client), _time), disposeHandler: true);
    }

    /// <summary>The inner factory's client as the handler the signing handler sends through.</summary>
    private sealed class InvokerHandler(HttpMessageInvoker invoker) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            invoker.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                invoker.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
