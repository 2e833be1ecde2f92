using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using WamsGateway.TestSupport;
using WamsGateway.Tests.Support;

namespace WamsGateway.Tests.Observability;

/// <summary>
/// <c>traceparent</c> continues to the backend whether or not traces are exported; spans are recorded
/// only when an OTLP endpoint takes them, sampled as <c>OTEL_TRACES_SAMPLER</c> says. Activity listeners
/// are process-wide (another host's sampling decision would apply to this one's requests), so these run alone.
/// </summary>
[Collection(DeadlineTestGroup.Name)]
public sealed partial class TraceContextTests
{
    private const string ClientTraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientSpanId = "b7ad6b7169203331";

    // ASP.NET Core starts an activity for each request when logging is on; with logging off, only the gateway's listener does.
    private const string LoggingOff = "--Logging:LogLevel:Default=None";

    [Theory]
    [InlineData("01", false)]
    [InlineData("00", false)]
    [InlineData("01", true)]
    [InlineData("00", true)]
    public async Task Without_an_exporter_the_clients_trace_continues_to_the_backend_with_its_sampled_flag(string flags, bool loggingOff)
    {
        await using var stack = await StartAsync(loggingOff ? [LoggingOff] : []);

        var received = await stack.SendAnonymousAsync(request =>
        {
            request.Headers.Add("traceparent", $"00-{ClientTraceId}-{ClientSpanId}-{flags}");
            request.Headers.Add("tracestate", "vendor=value");
        });

        var parent = TraceParent.Parse(received.Header("traceparent").Single());
        Assert.Equal(ClientTraceId, parent.TraceId);
        Assert.NotEqual(ClientSpanId, parent.SpanId);
        Assert.Equal(flags, parent.Flags);
        Assert.Equal(["vendor=value"], received.Header("tracestate"));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData("garbage", true)]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01", true)]
    public async Task Without_an_exporter_a_request_without_a_valid_traceparent_starts_a_trace_of_its_own(string? sent, bool loggingOff)
    {
        await using var stack = await StartAsync(loggingOff ? [LoggingOff] : []);

        var first = await stack.SendAnonymousAsync(request => Add(request, sent));
        var second = await stack.SendAnonymousAsync(request => Add(request, sent));

        var one = TraceParent.Parse(first.Header("traceparent").Single());
        var two = TraceParent.Parse(second.Header("traceparent").Single());
        Assert.NotEqual(one.TraceId, two.TraceId);
        Assert.NotEqual(new string('0', 32), one.TraceId);
        Assert.Equal("00", one.Flags);
    }

    [Fact]
    public async Task A_host_that_records_traces_itself_keeps_its_own_sampling_decision()
    {
        // The host's tracer samples nothing; a client's sampled flag must not make it record.
        await using var stack = await StartAsync([], services => services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.SetSampler(new AlwaysOffSampler()).AddAspNetCoreInstrumentation()));

        var received = await stack.SendAnonymousAsync(request => request.Headers.Add("traceparent", $"00-{ClientTraceId}-{ClientSpanId}-01"));

        var parent = TraceParent.Parse(received.Header("traceparent").Single());
        Assert.Equal(ClientTraceId, parent.TraceId);
        Assert.Equal("00", parent.Flags);
    }

    [Fact]
    public async Task Without_an_exporter_an_error_answer_names_the_clients_trace()
    {
        await using var stack = await StartAsync([]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/none/");
        request.Headers.Add("traceparent", $"00-{ClientTraceId}-{ClientSpanId}-01");

        using var response = await stack.Gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ClientTraceId, body.RootElement.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_spans_are_exported_and_a_new_trace_is_sampled()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var stack = await StartAsync(collector.GatewayArgs());

        var received = await stack.SendAnonymousAsync(_ => { });

        Assert.Equal("01", TraceParent.Parse(received.Header("traceparent").Single()).Flags);
        var export = await collector.Traces.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.True(export.Length > 0);
    }

    [Theory]
    [InlineData("always_off", null)]
    [InlineData("traceidratio", "0")]
    public async Task With_an_OTLP_endpoint_OTEL_TRACES_SAMPLER_decides_what_is_recorded(string sampler, string? argument)
    {
        await using var collector = await OtlpCollector.StartAsync();
        List<string> args = [.. collector.GatewayArgs(), $"--OTEL_TRACES_SAMPLER={sampler}"];
        if (argument is not null)
        {
            args.Add($"--OTEL_TRACES_SAMPLER_ARG={argument}");
        }

        await using var stack = await StartAsync(args);

        var received = await stack.SendAnonymousAsync(_ => { });

        // Not sampled: the context still continues, marked so the backend does not record it either.
        var parent = TraceParent.Parse(received.Header("traceparent").Single());
        Assert.Equal("00", parent.Flags);
        Assert.NotEqual(new string('0', 32), parent.TraceId);
    }

    private static void Add(HttpRequestMessage request, string? traceparent)
    {
        if (traceparent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        }
    }

    private sealed record TraceParent(string TraceId, string SpanId, string Flags)
    {
        public static TraceParent Parse(string value)
        {
            var match = TraceParentFormat().Match(value);
            Assert.True(match.Success, $"not a W3C traceparent: {value}");
            return new TraceParent(match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value);
        }
    }

    [GeneratedRegex("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")]
    private static partial Regex TraceParentFormat();

    /// <summary>A test authority, a recording backend and the gateway, started; disposed with the test.</summary>
    private static async Task<Stack> StartAsync(IReadOnlyList<string> args, Action<IServiceCollection>? configureServices = null)
    {
        var fixture = new GatewayFixture { Args = args, ConfigureServices = configureServices };
        await fixture.InitializeAsync();
        return new Stack(fixture);
    }

    private sealed class Stack(GatewayFixture fixture) : IAsyncDisposable
    {
        public RunningApp Gateway => fixture.Gateway;

        /// <summary>One request through the anonymous route; what the backend received.</summary>
        public async Task<ReceivedRequest> SendAnonymousAsync(Action<HttpRequestMessage> configure)
        {
            var before = fixture.Backend.Requests.Count;
            using var response = await fixture.SendAsync("/anon/trace", token: null, configure);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return fixture.Backend.Requests[before];
        }

        public ValueTask DisposeAsync() => new(fixture.DisposeAsync());
    }

    /// <summary>An OTLP/HTTP receiver on a loopback socket: it takes every export and remembers the first trace export.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private RunningApp? _app;

        public TaskCompletionSource<(string? ContentType, long Length)> Traces { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<OtlpCollector> StartAsync()
        {
            var collector = new OtlpCollector();
            collector._app = await RunningApp.StartAsync(collector.Build, []);
            return collector;
        }

        public IReadOnlyList<string> GatewayArgs() =>
        [
            $"--OTEL_EXPORTER_OTLP_ENDPOINT={_app!.Address}",
            "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "--OTEL_BSP_SCHEDULE_DELAY=50",
            "--OTEL_METRIC_EXPORT_INTERVAL=600000",
        ];

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }

        private WebApplication Build(string[] args)
        {
            var app = WebApplication.CreateSlimBuilder(args).Build();
            app.Run(async context =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                if (context.Request.Path == "/v1/traces")
                {
                    Traces.TrySetResult((context.Request.ContentType, body.Length));
                }

                context.Response.StatusCode = StatusCodes.Status200OK;
            });
            return app;
        }
    }
}
