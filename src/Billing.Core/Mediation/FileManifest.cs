namespace Billing.Core.Mediation;

/// <summary>
/// How every record of one CDR file was accounted for:
/// <c>read = accepted + suspended + duplicates + filtered</c>, with the suspended and filtered
/// records counted by reason. Checked when built, so a manifest that does not reconcile never exists.
/// </summary>
public sealed record FileManifest
{
    private static readonly IReadOnlyDictionary<string, long> None = new Dictionary<string, long>(StringComparer.Ordinal);

    public FileManifest(
        long read,
        long accepted,
        long suspended,
        long duplicates,
        long filtered,
        IReadOnlyDictionary<string, long>? suspendedByReason = null,
        IReadOnlyDictionary<string, long>? filteredByReason = null)
    {
        if (read < 0 || accepted < 0 || suspended < 0 || duplicates < 0 || filtered < 0)
        {
            throw new ArgumentException(
                $"Record counts cannot be negative: read {read}, accepted {accepted}, suspended {suspended}, duplicates {duplicates}, filtered {filtered}.");
        }

        if (read != accepted + suspended + duplicates + filtered)
        {
            throw new ArgumentException(
                $"Record accounting does not reconcile: read {read} ≠ accepted {accepted} + suspended {suspended} + duplicates {duplicates} + filtered {filtered}.");
        }

        SuspendedByReason = ByReason(suspendedByReason, suspended, "suspended");
        FilteredByReason = ByReason(filteredByReason, filtered, "filtered");
        Read = read;
        Accepted = accepted;
        Suspended = suspended;
        Duplicates = duplicates;
        Filtered = filtered;
    }

    /// <summary>A file of which nothing was read (rejected, skipped, or not finished).</summary>
    public static FileManifest Empty { get; } = new(0, 0, 0, 0, 0);

    public long Read { get; }

    /// <summary>Records stored as usage by this file.</summary>
    public long Accepted { get; }

    public long Suspended { get; }

    /// <summary>Valid records already stored (by an earlier file, or earlier in this one): never charged twice.</summary>
    public long Duplicates { get; }

    /// <summary>Records counted but not stored, e.g. unanswered calls.</summary>
    public long Filtered { get; }

    /// <summary>Suspended records by reason code, in the order the reasons were first met.</summary>
    public IReadOnlyDictionary<string, long> SuspendedByReason { get; }

    /// <summary>Filtered records by reason, in the order the reasons were first met.</summary>
    public IReadOnlyDictionary<string, long> FilteredByReason { get; }

    /// <summary>
    /// This manifest once the database has said how many of the accepted records were new:
    /// those are accepted, the rest duplicates.
    /// </summary>
    public FileManifest WithStored(long stored)
    {
        if (stored < 0 || stored > Accepted)
        {
            throw new ArgumentOutOfRangeException(nameof(stored), stored, $"between 0 and the {Accepted} accepted records");
        }

        return new FileManifest(Read, stored, Suspended, Duplicates + Accepted - stored, Filtered, SuspendedByReason, FilteredByReason);
    }

    private static IReadOnlyDictionary<string, long> ByReason(IReadOnlyDictionary<string, long>? counts, long total, string what)
    {
        if (counts is null || counts.Count == 0)
        {
            return total == 0 ? None : throw new ArgumentException($"{total} {what} record(s) without their reasons.");
        }

        long sum = 0;
        foreach (var (reason, count) in counts)
        {
            if (string.IsNullOrWhiteSpace(reason) || count <= 0)
            {
                throw new ArgumentException($"{what} by reason: '{reason}' = {count} is not a reason with a positive count.");
            }

            sum += count;
        }

        return sum == total
            ? new Dictionary<string, long>(counts, StringComparer.Ordinal)
            : throw new ArgumentException($"{what} by reason adds up to {sum}, not {total}.");
    }

    /// <summary>Counts one file's records as they stream past; <see cref="ToManifest"/> gives the checked value.</summary>
    public sealed class Tally
    {
        private readonly Dictionary<string, long> _suspended = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _filtered = new(StringComparer.Ordinal);
        private long _accepted;

        public long Suspended { get; private set; }

        public void Accept() => _accepted++;

        public void Suspend(string reason)
        {
            Suspended++;
            _suspended[reason] = _suspended.GetValueOrDefault(reason) + 1;
        }

        public void Filter(string reason) => _filtered[reason] = _filtered.GetValueOrDefault(reason) + 1;

        /// <summary>The manifest before dedupe: every valid record counts as accepted until the database says otherwise.</summary>
        public FileManifest ToManifest()
        {
            var filtered = _filtered.Values.Sum();
            return new FileManifest(_accepted + Suspended + filtered, _accepted, Suspended, 0, filtered, _suspended, _filtered);
        }
    }
}
