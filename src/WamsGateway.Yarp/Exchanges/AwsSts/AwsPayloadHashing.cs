using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using WamsGateway.Errors;
using WamsGateway.Exchanges.AwsSts.SigV4;

namespace WamsGateway.Exchanges.AwsSts;

/// <summary>What an AwsSts request's signature says of its body: the SHA-256 of a body small enough to buffer, else UNSIGNED-PAYLOAD or 413.</summary>
internal static class AwsPayloadHashing
{
    /// <summary>
    /// Buffers a body up to the API's limit so its SHA-256 can be signed. Over the limit, S3 gets
    /// UNSIGNED-PAYLOAD (the body streams) and other services, which require a signed payload, get 413.
    /// </summary>
    public static async ValueTask<bool> PrepareAsync(HttpContext context, string apiName, AwsStsOptions options)
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
}
