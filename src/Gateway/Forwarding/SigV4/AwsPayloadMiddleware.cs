using WamsGateway.Configuration;
using WamsGateway.Errors;

namespace WamsGateway.Forwarding.SigV4;

/// <summary>
/// For APIs whose requests are SigV4-signed: buffers a body up to the API's limit so its SHA-256 can
/// be signed. Over the limit, S3 gets UNSIGNED-PAYLOAD (the body streams) and other services, which
/// require a signed payload, get 413.
/// </summary>
internal sealed class AwsPayloadMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ApiCatalog _catalog;

    public AwsPayloadMiddleware(RequestDelegate next, ApiCatalog catalog)
    {
        _next = next;
        _catalog = catalog;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var api = _catalog.ForRequest(context);
        if (api?.Kind != ExchangeKind.AwsSts)
        {
            await _next(context);
            return;
        }

        var limit = api.Options.MaxSignedBodyBytes ?? ApiOptions.DefaultMaxSignedBodyBytes;
        var request = context.Request;
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!hasBody)
        {
            context.Features.Set(new AwsPayloadFeature(SigV4Signer.EmptyPayloadHash));
            await _next(context);
            return;
        }

        if (request.ContentLength > limit || (request.ContentLength is null && api.Options.IsS3))
        {
            if (!api.Options.IsS3)
            {
                await TooLargeAsync();
                return;
            }

            context.Features.Set(new AwsPayloadFeature(SigV4Signer.UnsignedPayload));
            await _next(context);
            return;
        }

        request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: limit);
        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
        }
        catch (IOException) when (request.ContentLength is null)
        {
            await TooLargeAsync();
            return;
        }

        request.Body.Position = 0;
        context.Features.Set(new AwsPayloadFeature(SigV4Signer.PayloadHash(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))));
        await _next(context);

        Task TooLargeAsync() => ProblemResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "payload_too_large",
            "The body is too large to sign", $"API '{api.Name}' signs request bodies up to {limit} bytes.");
    }
}

/// <summary>The signed payload hash of this request, or UNSIGNED-PAYLOAD.</summary>
internal sealed record AwsPayloadFeature(string PayloadHash);
