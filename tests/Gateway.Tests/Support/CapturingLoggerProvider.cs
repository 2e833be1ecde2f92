using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace WamsGateway.Tests.Support;

/// <summary>One log message and when it was written (Stopwatch ticks).</summary>
public sealed record TimedLogLine(long Timestamp, string Message);

/// <summary>Keeps every log line the gateway writes, at every level, so tests can look for secrets in them.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<TimedLogLine> _timed = new();

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Every message (without level and category) with when it was written, for tests of what happened before what.</summary>
    public IReadOnlyCollection<TimedLogLine> Timed => _timed;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            provider._timed.Enqueue(new TimedLogLine(Stopwatch.GetTimestamp(), message));
            provider._lines.Enqueue($"{logLevel} {category}: {message} {exception}");
        }
    }
}
