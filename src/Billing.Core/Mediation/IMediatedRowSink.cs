using Billing.Core.Usage;

namespace Billing.Core.Mediation;

/// <summary>Where mediated rows go, one at a time: storage writes them by binary COPY.</summary>
public interface IMediatedRowSink
{
    /// <param name="priority">0 normally; 1 for a row that loses to another row with the same key in the same file.</param>
    void Accept(UsageRecord usage, long lineNumber, int priority);

    void Suspend(SuspendedRecord record);
}
