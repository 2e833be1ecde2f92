using SampleBackend.Aws;
using SampleBackend.Diagnostics;
using SampleBackend.GatewayAssertion;
using SampleBackend.Todo;
using SampleBackend.Zumo;

namespace SampleBackend;

/// <summary>
/// The seed tutorial's WAMS backend: a per-user todo table behind X-ZUMO-AUTH, and a whoami echo; with
/// <c>SampleBackend:GatewayAuthority</c>, only requests carrying the gateway's verified assertion.
/// </summary>
public static class SampleBackendApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<SampleBackendOptions>()
            .BindConfiguration(SampleBackendOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.MasterKey), "SampleBackend:MasterKey is required: the WAMS master key that X-ZUMO-AUTH tokens are signed with (env SampleBackend__MasterKey).")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Database), "SampleBackend:Database is required: the SQLite file.")
            .Validate(o => (o.GatewayAuthority is null) == (o.GatewayAudience is null), "SampleBackend:GatewayAuthority and SampleBackend:GatewayAudience go together: the gateway's assertion issuer and this backend's audience.")
            .Validate(o => o.GatewayAuthority is null || Uri.TryCreate(o.GatewayAuthority, UriKind.Absolute, out _), "SampleBackend:GatewayAuthority is not an absolute URL.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ZumoTokenValidator>();
        builder.Services.AddSingleton<ZumoAuthFilter>();
        builder.Services.AddSingleton<TodoStore>();
        builder.Services.AddSingleton<SigV4Verifier>();
        builder.Services.AddSingleton<ObjectStore>();
        builder.Services.AddProblemDetails();
        builder.AddGatewayAssertionVerification();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseGatewayAssertionVerification();
        app.MapTodoTable();
        app.MapWhoAmI();
        app.MapAwsApis();
        return app;
    }
}
