using System.Security.Cryptography;

namespace SampleBackend.Aws;

/// <summary>
/// AWS-style APIs behind SigV4, for the gateway's AwsSts routes: <c>/aws/execute-api/...</c> (an API
/// Gateway-like echo) and <c>/aws/s3/{bucket}/{key}</c> (objects kept per signed-in user).
/// </summary>
public static class AwsEndpoints
{
    public static void MapAwsApis(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map("/aws/execute-api/{**path}", async (HttpContext context, SigV4Verifier verifier) =>
        {
            var body = await ReadBodyAsync(context);
            var caller = verifier.Verify(context, "execute-api", body);
            if (caller.Error is not null)
            {
                return Refuse(caller);
            }

            return Results.Json(new
            {
                user = caller.Subject,
                role = caller.Role,
                accessKeyId = caller.AccessKeyId,
                method = context.Request.Method,
                path = context.Request.Path.Value,
                query = context.Request.QueryString.Value,
                bodyLength = body.Length,
                bodySha256 = Convert.ToHexStringLower(SHA256.HashData(body)),
            });
        });

        endpoints.MapMethods("/aws/s3/{bucket}/{**key}", [HttpMethods.Put, HttpMethods.Get, HttpMethods.Delete],
            async (string bucket, string key, HttpContext context, SigV4Verifier verifier, ObjectStore store) =>
            {
                var body = await ReadBodyAsync(context);
                var caller = verifier.Verify(context, "s3", body);
                if (caller.Error is not null)
                {
                    return Refuse(caller);
                }

                var objectKey = $"{bucket}/{key}";
                switch (context.Request.Method)
                {
                    case "PUT":
                        await store.PutAsync(caller.Subject!, objectKey, context.Request.ContentType ?? "application/octet-stream", body, context.RequestAborted);
                        return Results.Ok(new { key = objectKey, size = body.Length, owner = caller.Subject });
                    case "DELETE":
                        return await store.DeleteAsync(caller.Subject!, objectKey, context.RequestAborted) ? Results.NoContent() : NoSuchKey(objectKey);
                    default:
                        return await store.GetAsync(caller.Subject!, objectKey, context.RequestAborted) is { } stored
                            ? Results.Bytes(stored.Body, stored.ContentType)
                            : NoSuchKey(objectKey);
                }
            });
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private static IResult Refuse(AwsCaller caller) =>
        Results.Json(new { error = caller.Error, message = caller.Message }, statusCode: StatusCodes.Status403Forbidden);

    private static IResult NoSuchKey(string key) =>
        Results.Json(new { error = "NoSuchKey", message = $"No object '{key}' for this user." }, statusCode: StatusCodes.Status404NotFound);
}
