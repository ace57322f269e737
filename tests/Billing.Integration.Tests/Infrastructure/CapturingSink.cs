using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>Keeps every Serilog event written while it is installed, so a test can read the log back.</summary>
public sealed class CapturingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    public static string? Scalar(LogEvent e, string property) =>
        e.Properties.TryGetValue(property, out var v) && v is ScalarValue { Value: var x } ? x?.ToString() : null;
}
