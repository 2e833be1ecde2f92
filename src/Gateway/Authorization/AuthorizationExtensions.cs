using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace WamsGateway.Authorization;

internal static class AuthorizationExtensions
{
    /// <summary>
    /// Every endpoint needs a valid token unless it opts out: routes with YARP's
    /// <c>"AuthorizationPolicy": "anonymous"</c>, and the health endpoints.
    /// </summary>
    public static IServiceCollection AddGatewayAuthorization(this IServiceCollection services) =>
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build())
            .Services;
}
