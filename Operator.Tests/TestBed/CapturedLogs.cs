using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AgentLens.Operator.Tests.TestBed;

/// <summary>Every log line the components under test write, formatted as the console would, to search afterwards.</summary>
internal sealed class CapturedLogs : ILoggerFactory
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger<T> For<T>() => new Logger<T>(this);

    public ILogger CreateLogger(string categoryName) => new Sink(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Sink(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception?.Message}");
    }
}
