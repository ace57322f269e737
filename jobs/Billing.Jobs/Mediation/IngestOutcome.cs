namespace Billing.Jobs.Mediation;

/// <summary>What became of one file. Serialised as the `billing ingest --json` array element.</summary>
public sealed record IngestOutcome
{
    public required string File { get; init; }
    public required string Source { get; init; }
    public required string Format { get; init; }

    /// <summary>archived | rejected | skipped | already-processed</summary>
    public required string Status { get; init; }

    public long Read { get; init; }
    public long Accepted { get; init; }
    public long Suspended { get; init; }
    public long Duplicates { get; init; }
    public long Filtered { get; init; }
    public string? Reason { get; init; }
    public long? FileId { get; init; }
    public IReadOnlyDictionary<string, long> SuspendedByReason { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> FilteredByReason { get; init; } = new Dictionary<string, long>();

    public static class Statuses
    {
        public const string Archived = "archived";
        public const string Rejected = "rejected";
        public const string Skipped = "skipped";
        public const string AlreadyProcessed = "already-processed";
    }
}
