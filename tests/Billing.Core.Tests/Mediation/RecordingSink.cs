using Billing.Core.Mediation;
using Billing.Core.Usage;

namespace Billing.Core.Tests.Mediation;

/// <summary>A sink that remembers what the pipeline gave it, in order.</summary>
internal sealed class RecordingSink : IMediatedRowSink
{
    public List<(UsageRecord Usage, long LineNumber, int Priority)> Accepted { get; } = [];

    public List<SuspendedRecord> Suspended { get; } = [];

    public void Accept(UsageRecord usage, long lineNumber, int priority) => Accepted.Add((usage, lineNumber, priority));

    public void Suspend(SuspendedRecord record) => Suspended.Add(record);
}
