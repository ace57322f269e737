using Billing.Core.Mediation;

namespace Billing.Jobs.Mediation;

/// <summary>What became of one file: its status and, once archived, its manifest.</summary>
public sealed record IngestOutcome
{
    public required string File { get; init; }
    public required string Source { get; init; }
    public required string Format { get; init; }

    /// <summary>archived | rejected | skipped | already-processed | failed</summary>
    public required string Status { get; init; }

    public FileManifest Manifest { get; init; } = FileManifest.Empty;
    public string? Reason { get; init; }
    public long? FileId { get; init; }

    /// <summary>
    /// The documented JSON shape: one element of <c>billing ingest --json</c>, and the
    /// <c>NAME.manifest.json</c> written beside an archived file.
    /// </summary>
    public object Document() => new
    {
        file = File,
        source = Source,
        format = Format,
        status = Status,
        read = Manifest.Read,
        accepted = Manifest.Accepted,
        suspended = Manifest.Suspended,
        duplicates = Manifest.Duplicates,
        filtered = Manifest.Filtered,
        reason = Reason,
        fileId = FileId,
        suspendedByReason = Manifest.SuspendedByReason,
        filteredByReason = Manifest.FilteredByReason,
    };

    public static class Statuses
    {
        public const string Archived = "archived";
        public const string Rejected = "rejected";
        public const string Skipped = "skipped";
        public const string AlreadyProcessed = "already-processed";

        /// <summary>Something went wrong with this file (it could not be read, or not moved): reported, the others go on.</summary>
        public const string Failed = "failed";
    }
}
