namespace SampleBackend.Zumo;

/// <summary>Lets a request through only with a valid X-ZUMO-AUTH; otherwise 401 with the reason, and nothing read or written.</summary>
public sealed class ZumoAuthFilter : IEndpointFilter
{
    public const string HeaderName = "X-ZUMO-AUTH";

    private readonly ZumoTokenValidator _validator;

    public ZumoAuthFilter(ZumoTokenValidator validator)
    {
        _validator = validator;
    }

    public static ZumoUser User(HttpContext context) =>
        context.Items[typeof(ZumoUser)] as ZumoUser ?? throw new InvalidOperationException("No ZUMO user on this request.");

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = _validator.Validate(context.HttpContext.Request.Headers[HeaderName].ToString());
        if (result.User is null)
        {
            return ValueTask.FromResult<object?>(Results.Json(
                new { error = result.Error, message = result.Description }, statusCode: StatusCodes.Status401Unauthorized));
        }

        context.HttpContext.Items[typeof(ZumoUser)] = result.User;
        return next(context);
    }
}
