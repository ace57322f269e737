using Billing.Core.Usage;

namespace Billing.Mediation;

/// <summary>Where mediated rows go: storage implements it with binary COPY.</summary>
public interface IMediatedRowSink
{
    void Accept(UsageRecord usage, long lineNumber, int priority);

    void Suspend(long lineNumber, string rawLine, string reason, string detail);
}

/// <summary>Counts of one file's rows before dedupe (dedupe happens in the database).</summary>
public sealed class MediationCounts
{
    public long Read { get; set; }

    public long Accepted { get; set; }

    public long Suspended { get; set; }

    public long Filtered { get; set; }

    public Dictionary<string, long> SuspendedByReason { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> FilteredByReason { get; } = new(StringComparer.Ordinal);
}

/// <summary>Reader → normaliser → sink, one row at a time: memory does not grow with the file.</summary>
public static class MediationPipeline
{
    public static MediationCounts Run(ICdrReader reader, CdrNormaliser normaliser, IMediatedRowSink sink)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(normaliser);
        ArgumentNullException.ThrowIfNull(sink);
        var counts = new MediationCounts();
        foreach (var row in reader.ReadRows())
        {
            counts.Read++;
            if (row.ProblemCode is { } code)
            {
                Suspend(counts, sink, row.LineNumber, reader.CurrentRawLine, code, row.ProblemDetail ?? "");
            }
            else if (row.FilterReason is { } filter)
            {
                Filter(counts, filter);
            }
            else
            {
                var outcome = normaliser.Normalise(row.Cdr!);
                switch (outcome.Kind)
                {
                    case OutcomeKind.Accepted:
                        counts.Accepted++;
                        sink.Accept(outcome.Usage!, row.LineNumber, row.Cdr!.Priority);
                        break;
                    case OutcomeKind.Suspended:
                        Suspend(counts, sink, row.LineNumber, reader.CurrentRawLine, outcome.Reason!, outcome.Detail ?? "");
                        break;
                    case OutcomeKind.Filtered:
                        Filter(counts, outcome.Reason!);
                        break;
                    default:
                        throw new InvalidOperationException($"unknown outcome {outcome.Kind}");
                }
            }
        }

        return counts;
    }

    private static void Suspend(MediationCounts counts, IMediatedRowSink sink, long line, string raw, string reason, string detail)
    {
        counts.Suspended++;
        counts.SuspendedByReason[reason] = counts.SuspendedByReason.GetValueOrDefault(reason) + 1;
        sink.Suspend(line, raw, reason, detail);
    }

    private static void Filter(MediationCounts counts, string reason)
    {
        counts.Filtered++;
        counts.FilteredByReason[reason] = counts.FilteredByReason.GetValueOrDefault(reason) + 1;
    }
}
