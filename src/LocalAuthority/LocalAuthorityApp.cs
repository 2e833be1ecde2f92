using LocalAuthority.Aws;
using LocalAuthority.Discovery;
using LocalAuthority.Hosting;
using LocalAuthority.Keys;
using LocalAuthority.Tokens;

namespace LocalAuthority;

/// <summary>An Auth0-compatible authority for local runs, demos and tests. Not for production.</summary>
public static class LocalAuthorityApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<LocalAuthorityOptions>().BindConfiguration(LocalAuthorityOptions.SectionName);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SigningKeyStore>();
        builder.Services.AddSingleton<IssuerUri>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<SubjectTokens>();
        builder.Services.AddSingleton<ExchangeControl>();
        builder.Services.AddSingleton<Aws.AwsCredentialIssuer>();

        var app = builder.Build();
        app.UseMiddleware<LoopbackOnlyMiddleware>();
        app.MapDiscovery();
        app.MapTokenEndpoint();
        app.MapDelegation();
        app.MapSts();
        app.MapKeyRotation();
        ExchangeControl.Map(app);
        return app;
    }
}
