using System.Text.Json;
using Billing.Core.Mediation;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage;

/// <summary>One row of <c>cdr_files</c>: a file, what became of it, and its manifest.</summary>
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
    public string? Reason { get; init; }
    public Instant StartedAt { get; init; }
    public Instant? FinishedAt { get; init; }

    /// <summary>Empty until the file is archived.</summary>
    public FileManifest Manifest { get; init; } = FileManifest.Empty;
}

/// <summary>The manifest rows of CDR files: the claim that makes a file processed exactly once.</summary>
public static class CdrFileStore
{
    // The manifest's columns come last: Dapper splits each row at read_count.
    private const string Columns = """
        id, source, file_name, checksum, size_bytes, format, status, header, reason, started_at, finished_at,
        read_count, accepted, suspended, duplicates, filtered, suspended_by_reason::text, filtered_by_reason::text
        """;

    /// <summary>
    /// Claims (source, checksum) inside <paramref name="tx"/>. Returns the new file id, or null when
    /// the same content was already processed. A concurrent claim of the same file waits here until
    /// the other transaction ends.
    /// </summary>
    public static long? Claim(NpgsqlTransaction tx, string source, string fileName, string checksum, long size, string format) =>
        tx.Connection!.ExecuteScalar<long?>("""
            INSERT INTO cdr_files (source, file_name, checksum, size_bytes, format, status, usage_ids_from)
            VALUES (@source, @fileName, @checksum, @size, @format, 'processing', nextval(pg_get_serial_sequence('usage', 'id')))
            ON CONFLICT (source, checksum) WHERE status <> 'rejected' DO NOTHING
            RETURNING id
            """, new { source, fileName, checksum, size, format }, tx);

    public static CdrFileRow? FindProcessed(NpgsqlConnection conn, string source, string checksum) =>
        Query(conn, $"SELECT {Columns} FROM cdr_files WHERE source = @source AND checksum = @checksum AND status <> 'rejected'",
            new { source, checksum }).SingleOrDefault();

    public static void Complete(NpgsqlTransaction tx, long id, FileManifest manifest, string? header)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        tx.Connection!.Execute("""
            UPDATE cdr_files SET status = 'archived', header = @header, read_count = @Read, accepted = @Accepted,
                suspended = @Suspended, duplicates = @Duplicates, filtered = @Filtered,
                suspended_by_reason = @suspendedByReason::jsonb, filtered_by_reason = @filteredByReason::jsonb,
                finished_at = now(), usage_ids_to = nextval(pg_get_serial_sequence('usage', 'id'))
            WHERE id = @id
            """, new
        {
            id,
            header,
            manifest.Read,
            manifest.Accepted,
            manifest.Suspended,
            manifest.Duplicates,
            manifest.Filtered,
            suspendedByReason = JsonSerializer.Serialize(manifest.SuspendedByReason),
            filteredByReason = JsonSerializer.Serialize(manifest.FilteredByReason),
        }, tx);
    }

    /// <summary>
    /// Records a rejected file and returns its id. The same file (source, name, checksum, size) rejected
    /// for the same reason before is that row again: a rerun after its move to rejected/ failed records
    /// nothing twice. <paramref name="checksum"/> is empty for a file rejected before it was read.
    /// </summary>
    public static long RecordRejected(NpgsqlConnection conn, string source, string fileName, string checksum, long size, string format, string reason) =>
        conn.ExecuteScalar<long>("""
            WITH earlier AS (
                SELECT id FROM cdr_files
                WHERE status = 'rejected' AND source = @source AND file_name = @fileName AND checksum = @checksum
                  AND size_bytes = @size AND reason = @reason
                ORDER BY id DESC LIMIT 1),
            recorded AS (
                INSERT INTO cdr_files (source, file_name, checksum, size_bytes, format, status, reason, finished_at)
                SELECT @source, @fileName, @checksum, @size, @format, 'rejected', @reason, now()
                WHERE NOT EXISTS (SELECT FROM earlier)
                RETURNING id)
            SELECT id FROM recorded UNION ALL SELECT id FROM earlier
            """, new { source, fileName, checksum, size, format, reason });

    public static IReadOnlyList<CdrFileRow> List(NpgsqlConnection conn, int limit, string? source = null) =>
        Query(conn, $"""
            SELECT {Columns} FROM cdr_files
            WHERE (@source::text IS NULL OR source = @source)
            ORDER BY id DESC LIMIT @limit
            """, new { limit, source });

    public static CdrFileRow? Get(NpgsqlConnection conn, long id) =>
        Query(conn, $"SELECT {Columns} FROM cdr_files WHERE id = @id", new { id }).SingleOrDefault();

    private static IReadOnlyList<CdrFileRow> Query(NpgsqlConnection conn, string sql, object args) =>
        conn.Query<CdrFileRow, ManifestColumns, CdrFileRow>(sql, (row, m) => row with { Manifest = m.ToManifest() }, args, splitOn: "read_count").AsList();

    /// <summary>The manifest as its columns hold it; the by-reason counts are jsonb objects.</summary>
    private sealed record ManifestColumns(
        long ReadCount, long Accepted, long Suspended, long Duplicates, long Filtered, string SuspendedByReason, string FilteredByReason)
    {
        public FileManifest ToManifest() => new(ReadCount, Accepted, Suspended, Duplicates, Filtered,
            JsonSerializer.Deserialize<Dictionary<string, long>>(SuspendedByReason), JsonSerializer.Deserialize<Dictionary<string, long>>(FilteredByReason));
    }
}
