using Billing.Core.Usage;
using Billing.Mediation;

namespace Billing.Core.Tests.Mediation;

/// <summary>A sink that remembers what the pipeline gave it, in order.</summary>
internal sealed class RecordingSink : IMediatedRowSink
{
    public List<(UsageRecord Usage, long LineNumber, int Priority)> Accepted { get; } = [];

    public List<(long LineNumber, string RawLine, string Reason, string Detail)> Suspended { get; } = [];

    public void Accept(UsageRecord usage, long lineNumber, int priority) => Accepted.Add((usage, lineNumber, priority));

    public void Suspend(long lineNumber, string rawLine, string reason, string detail) =>
        Suspended.Add((lineNumber, rawLine, reason, detail));
}
