using System.Text;
using Billing.Core.Mediation;

namespace Billing.Mediation;

/// <summary>What mediating one file came to: its manifest before dedupe (no duplicates yet), or why the whole file is rejected.</summary>
public readonly record struct MediationRun(FileManifest? Manifest, string? Rejection)
{
    public static MediationRun Read(FileManifest manifest) => new(manifest, null);

    public static MediationRun Rejected(string reason) => new(null, reason);
}

/// <summary>
/// How much of one file may go to suspense: beyond it the file is garbage or misrouted, and storing
/// it row by row would only fill the disk (the spill file, or the database's temporary space).
/// </summary>
public readonly record struct SuspenseLimits(long MaxRows, long MaxBytes)
{
    public static SuspenseLimits None { get; } = new(long.MaxValue, long.MaxValue);
}

/// <summary>Reader → normaliser → sink, one row at a time: memory does not grow with the file.</summary>
public static class MediationPipeline
{
    /// <summary>Mediates every record of the reader's file, or stops at the first sign that the file cannot be taken whole.</summary>
    public static MediationRun Run(ICdrReader reader, CdrNormaliser normaliser, IMediatedRowSink sink, SuspenseLimits limits)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(normaliser);
        ArgumentNullException.ThrowIfNull(sink);
        var tally = new FileManifest.Tally();
        long suspendedBytes = 0;
        foreach (var row in reader.ReadRows())
        {
            if (row.Rejection is { } rejection)
            {
                return MediationRun.Rejected(rejection);
            }

            SuspendedRecord? suspended = null;
            if (row.ProblemCode is { } code)
            {
                suspended = new SuspendedRecord(row.LineNumber, reader.CurrentRawLine, code, row.ProblemDetail ?? "");
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
                        suspended = new SuspendedRecord(row.LineNumber, reader.CurrentRawLine, outcome.Reason!, outcome.Detail ?? "");
                        break;
                    case OutcomeKind.Filtered:
                        tally.Filter(outcome.Reason!);
                        break;
                    default:
                        throw new InvalidOperationException($"unknown outcome {outcome.Kind}");
                }
            }

            if (suspended is { } record)
            {
                tally.Suspend(record.Reason);
                suspendedBytes += Encoding.UTF8.GetByteCount(record.RawLine) + Encoding.UTF8.GetByteCount(record.Detail);
                if (tally.Suspended > limits.MaxRows)
                {
                    return MediationRun.Rejected(
                        $"more than {limits.MaxRows:N0} rows to suspend (mediation.maxSuspendedRowsPerFile): rejected whole, nothing of it stored");
                }

                if (suspendedBytes > limits.MaxBytes)
                {
                    return MediationRun.Rejected(
                        $"its rows to suspend exceed {limits.MaxBytes:N0} bytes at line {record.LineNumber:N0} (mediation.maxSuspendedBytesPerFile): rejected whole, nothing of it stored");
                }

                sink.Suspend(record);
            }
        }

        return MediationRun.Read(tally.ToManifest());
    }
}
