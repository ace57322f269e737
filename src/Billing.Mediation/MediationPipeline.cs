using Billing.Core.Mediation;

namespace Billing.Mediation;

/// <summary>What mediating one file came to: its manifest before dedupe (no duplicates yet), or why the whole file is rejected.</summary>
public readonly record struct MediationRun(FileManifest? Manifest, string? Rejection)
{
    public static MediationRun Read(FileManifest manifest) => new(manifest, null);

    public static MediationRun Rejected(string reason) => new(null, reason);
}

/// <summary>Reader → normaliser → sink, one row at a time: memory does not grow with the file.</summary>
public static class MediationPipeline
{
    /// <summary>Mediates every record of the reader's file, or stops at the first sign that the file cannot be taken whole.</summary>
    public static MediationRun Run(ICdrReader reader, CdrNormaliser normaliser, IMediatedRowSink sink)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(normaliser);
        ArgumentNullException.ThrowIfNull(sink);
        var tally = new FileManifest.Tally();
        foreach (var row in reader.ReadRows())
        {
            if (row.Rejection is { } rejection)
            {
                return MediationRun.Rejected(rejection);
            }

            if (row.ProblemCode is { } code)
            {
                Suspend(tally, sink, new SuspendedRecord(row.LineNumber, reader.CurrentRawLine, code, row.ProblemDetail ?? ""));
            }
            else if (row.FilterReason is { } filter)
            {
                tally.Filter(filter);
            }
            else
            {
                var outcome = normaliser.Normalise(row.Cdr!);
                switch (outcome.Kind)
                {
                    case OutcomeKind.Accepted:
                        tally.Accept();
                        sink.Accept(outcome.Usage!, row.LineNumber, row.Cdr!.Priority);
                        break;
                    case OutcomeKind.Suspended:
                        Suspend(tally, sink, new SuspendedRecord(row.LineNumber, reader.CurrentRawLine, outcome.Reason!, outcome.Detail ?? ""));
                        break;
                    case OutcomeKind.Filtered:
                        tally.Filter(outcome.Reason!);
                        break;
                    default:
                        throw new InvalidOperationException($"unknown outcome {outcome.Kind}");
                }
            }
        }

        return MediationRun.Read(tally.ToManifest());
    }

    private static void Suspend(FileManifest.Tally tally, IMediatedRowSink sink, SuspendedRecord record)
    {
        tally.Suspend(record.Reason);
        sink.Suspend(record);
    }
}
