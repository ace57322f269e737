using System.Text.Json;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage;

/// <summary>One row of the file manifest: how every record of a file was accounted for.</summary>
public sealed record CdrFileRow
{
    public long Id { get; init; }
    public string Source { get; init; } = "";
    public string FileName { get; init; } = "";
    public string Checksum { get; init; } = "";
    public long SizeBytes { get; init; }
    public string Format { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Header { get; init; }
    public long ReadCount { get; init; }
    public long Accepted { get; init; }
    public long Suspended { get; init; }
    public long Duplicates { get; init; }
    public long Filtered { get; init; }
    public string? Reason { get; init; }
    public Instant StartedAt { get; init; }
    public Instant? FinishedAt { get; init; }
}

/// <summary>The manifest rows of CDR files: the claim that makes a file processed exactly once.</summary>
public static class CdrFileStore
{
    private const string Columns = """
        id, source, file_name, checksum, size_bytes, format, status, header, read_count, accepted,
        suspended, duplicates, filtered, reason, started_at, finished_at
        """;

    /// <summary>
    /// Claims (source, checksum) inside <paramref name="tx"/>. Returns the new file id, or null when
    /// the same content was already processed. A concurrent claim of the same file waits here until
    /// the other transaction ends.
    /// </summary>
    public static long? Claim(NpgsqlTransaction tx, string source, string fileName, string checksum, long size, string format) =>
        tx.Connection!.ExecuteScalar<long?>("""
            INSERT INTO cdr_files (source, file_name, checksum, size_bytes, format, status)
            VALUES (@source, @fileName, @checksum, @size, @format, 'processing')
            ON CONFLICT (source, checksum) WHERE status <> 'rejected' DO NOTHING
            RETURNING id
            """, new { source, fileName, checksum, size, format }, tx);

    public static CdrFileRow? FindProcessed(NpgsqlConnection conn, string source, string checksum) =>
        conn.QuerySingleOrDefault<CdrFileRow>($"""
            SELECT {Columns} FROM cdr_files WHERE source = @source AND checksum = @checksum AND status <> 'rejected'
            """, new { source, checksum });

    public static void Complete(NpgsqlTransaction tx, long id, FileCounts counts, string? header)
    {
        ArgumentNullException.ThrowIfNull(counts);
        counts.EnsureReconciles();
        tx.Connection!.Execute("""
            UPDATE cdr_files SET status = 'archived', header = @header, read_count = @Read, accepted = @Accepted,
                suspended = @Suspended, duplicates = @Duplicates, filtered = @Filtered,
                suspended_by_reason = @suspendedByReason::jsonb, filtered_by_reason = @filteredByReason::jsonb,
                finished_at = now()
            WHERE id = @id
            """, new
        {
            id,
            header,
            counts.Read,
            counts.Accepted,
            counts.Suspended,
            counts.Duplicates,
            counts.Filtered,
            suspendedByReason = JsonSerializer.Serialize(counts.SuspendedByReason),
            filteredByReason = JsonSerializer.Serialize(counts.FilteredByReason),
        }, tx);
    }

    public static long RecordRejected(NpgsqlConnection conn, string source, string fileName, string checksum, long size, string format, string reason) =>
        conn.ExecuteScalar<long>("""
            INSERT INTO cdr_files (source, file_name, checksum, size_bytes, format, status, reason, finished_at)
            VALUES (@source, @fileName, @checksum, @size, @format, 'rejected', @reason, now())
            RETURNING id
            """, new { source, fileName, checksum, size, format, reason });

    public static IReadOnlyList<CdrFileRow> List(NpgsqlConnection conn, int limit, string? source = null) =>
        conn.Query<CdrFileRow>($"""
            SELECT {Columns} FROM cdr_files
            WHERE (@source::text IS NULL OR source = @source)
            ORDER BY id DESC LIMIT @limit
            """, new { limit, source }).AsList();

    public static CdrFileRow? Get(NpgsqlConnection conn, long id) =>
        conn.QuerySingleOrDefault<CdrFileRow>($"SELECT {Columns} FROM cdr_files WHERE id = @id", new { id });
}

/// <summary>The accounting of one file. Every record is read = accepted + suspended + duplicates + filtered.</summary>
public sealed record FileCounts
{
    public long Read { get; init; }
    public long Accepted { get; init; }
    public long Suspended { get; init; }
    public long Duplicates { get; init; }
    public long Filtered { get; init; }
    public IReadOnlyDictionary<string, long> SuspendedByReason { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> FilteredByReason { get; init; } = new Dictionary<string, long>();

    public bool Reconciles => Read == Accepted + Suspended + Duplicates + Filtered;

    public void EnsureReconciles()
    {
        if (!Reconciles)
        {
            throw new InvalidOperationException(
                $"Record accounting does not reconcile: read {Read} ≠ accepted {Accepted} + suspended {Suspended} + duplicates {Duplicates} + filtered {Filtered}.");
        }
    }
}
