using System.Net;
using LocalAuthority.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace LocalAuthority.Tests;

public sealed class LoopbackOnlyTests
{
    [Theory]
    [InlineData("127.0.0.1", false, 200)]
    [InlineData("::1", false, 200)]
    [InlineData("192.0.2.10", false, 403)]
    [InlineData("192.0.2.10", true, 200)]
    public async Task Middleware_AnswersLoopbackOnlyUnlessAllowed(string remote, bool allowRemote, int expected)
    {
        var reached = false;
        var middleware = new LoopbackOnlyMiddleware(_ => { reached = true; return Task.CompletedTask; }, Options.Create(new LocalAuthorityOptions { AllowRemote = allowRemote }));
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Response.Body = new MemoryStream();

        await middleware.InvokeAsync(context);

        Assert.Equal(expected == 200, reached);
        Assert.Equal(expected, context.Response.StatusCode);
    }
}
