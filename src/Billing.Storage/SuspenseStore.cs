using System.Text.Json;
using Billing.Core.Usage;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage;

public sealed record SuspenseGroup(string Source, string Reason, long Count, long Files, string ExampleDetail, long FirstId);

/// <summary>One suspended row with its file and what became of it: what `billing suspense show` prints.</summary>
public sealed record SuspenseEntry
{
    public long Id { get; init; }
    public string Source { get; init; } = "";
    public long FileId { get; init; }
    public string FileName { get; init; } = "";
    public string? Header { get; init; }
    public long LineNo { get; init; }
    public string RawLine { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Detail { get; init; } = "";
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public Instant CreatedAt { get; init; }
    public Instant? ResolvedAt { get; init; }
    public string? Resolution { get; init; }
    public long? UsageId { get; init; }
}

public sealed record SuspenseRow
{
    public long Id { get; init; }
    public long FileId { get; init; }
    public string Source { get; init; } = "";
    public string FileName { get; init; } = "";

    /// <summary>When the row's file was taken in (its claim): none of its calls can have started later.</summary>
    public Instant FileReceivedAt { get; init; }
    public string? Header { get; init; }
    public long LineNo { get; init; }
    public string RawLine { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Detail { get; init; } = "";
}

/// <summary>Suspended rows: listed by reason, recycled after a configuration fix, or written off with an audit entry.</summary>
public static class SuspenseStore
{
    public static IReadOnlyList<SuspenseGroup> OpenByReason(NpgsqlConnection conn) =>
        conn.Query<SuspenseGroup>("""
            SELECT source, reason, count(*) AS count, count(DISTINCT file_id) AS files, min(detail) AS example_detail, min(id) AS first_id
            FROM suspense WHERE status = 'open'
            GROUP BY source, reason ORDER BY count(*) DESC, source, reason
            """).AsList();

    /// <summary>One suspense row, open or closed, with its file's name and header; null when there is none with that id.</summary>
    public static SuspenseEntry? Find(NpgsqlConnection conn, long id) =>
        conn.QuerySingleOrDefault<SuspenseEntry>("""
            SELECT s.id, s.source, s.file_id, f.file_name, f.header, s.line_no, s.raw_line, s.reason, s.detail, s.status, s.attempts,
                   s.created_at, s.resolved_at, s.resolution, s.usage_id
            FROM suspense s JOIN cdr_files f ON f.id = s.file_id
            WHERE s.id = @id
            """, new { id });

    public static IReadOnlyList<SuspenseRow> OpenRows(NpgsqlConnection conn, string? reason, string? source, long afterId, int limit, NpgsqlTransaction? tx = null) =>
        conn.Query<SuspenseRow>("""
            SELECT s.id, s.file_id, s.source, f.file_name, f.started_at AS file_received_at, f.header, s.line_no, s.raw_line, s.reason, s.detail
            FROM suspense s JOIN cdr_files f ON f.id = s.file_id
            WHERE s.status = 'open' AND s.id > @afterId
              AND (@reason::text IS NULL OR s.reason = @reason) AND (@source::text IS NULL OR s.source = @source)
            ORDER BY s.id LIMIT @limit
            FOR UPDATE OF s SKIP LOCKED
            """, new { reason, source, afterId, limit }, tx).AsList();

    /// <summary>Stores a recycled row's usage; returns its id, or null if the record is already stored (a duplicate).</summary>
    public static long? InsertRecycledUsage(NpgsqlTransaction tx, SuspenseRow row, UsageRecord usage)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(usage);
        return tx.Connection!.ExecuteScalar<long?>("""
            INSERT INTO usage (source, record_key, service, msisdn, destination, start_utc, duration_s, volume_bytes, cell_id, file_id, line_no)
            VALUES (@Source, @RecordKey, @Service, @Msisdn, @Destination, @Start, @DurationSeconds, @VolumeBytes, @CellId, @FileId, @LineNo)
            ON CONFLICT (source, record_key) DO NOTHING
            RETURNING id
            """, UsageParameters(row.Source, usage, new { row.FileId, row.LineNo }), tx);
    }

    /// <summary>
    /// A recycled record that should win over the one stored under its key (a FreeSWITCH a-leg over its b-leg, FORMATS.md §3):
    /// the stored row takes its fields while it is not rated yet, as when the a-leg arrives in a later file. Returns the stored
    /// row's id when it was replaced, null when it was rated already or holds these fields.
    /// </summary>
    public static long? ReplaceUnrated(NpgsqlTransaction tx, string source, UsageRecord usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return tx.Connection!.ExecuteScalar<long?>("""
            UPDATE usage u
            SET service = @Service, msisdn = @Msisdn, destination = @Destination, start_utc = @Start,
                duration_s = @DurationSeconds, volume_bytes = @VolumeBytes, cell_id = @CellId
            WHERE u.source = @Source AND u.record_key = @RecordKey
              AND (u.service, u.msisdn, u.destination, u.start_utc, u.duration_s, u.volume_bytes, u.cell_id)
                  IS DISTINCT FROM (@Service::smallint, @Msisdn::text, @Destination::text, @Start::timestamptz, @DurationSeconds::bigint, @VolumeBytes::bigint, @CellId::text)
              AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id)
            RETURNING u.id
            """, UsageParameters(source, usage, new { }), tx);
    }

    /// <summary>A usage record's columns as the parameters @Source, @RecordKey … @CellId, and <paramref name="more"/>.</summary>
    private static DynamicParameters UsageParameters(string source, UsageRecord usage, object more)
    {
        var parameters = new DynamicParameters(new
        {
            Source = source,
            usage.RecordKey,
            Service = (short)usage.Service,
            usage.Msisdn,
            usage.Destination,
            usage.Start,
            usage.DurationSeconds,
            usage.VolumeBytes,
            usage.CellId,
        });
        parameters.AddDynamicParams(more);
        return parameters;
    }

    public static void MarkRecycled(NpgsqlTransaction tx, long id, string resolution, long? usageId) =>
        tx.Connection!.Execute("""
            UPDATE suspense SET status = 'recycled', resolved_at = now(), resolution = @resolution, usage_id = @usageId,
                attempts = attempts + 1
            WHERE id = @id
            """, new { id, resolution, usageId }, tx);

    public static void StillSuspended(NpgsqlTransaction tx, long id, string reason, string detail) =>
        tx.Connection!.Execute("""
            UPDATE suspense SET reason = @reason, detail = @detail, attempts = attempts + 1 WHERE id = @id
            """, new { id, reason, detail }, tx);

    /// <summary>Closes open rows (optionally of one reason/source) and records who did it and why.</summary>
    public static long WriteOff(NpgsqlConnection conn, string? reason, string? source, string actor, string note)
    {
        using var tx = conn.BeginTransaction();
        var ids = conn.Query<long>("""
            UPDATE suspense SET status = 'written-off', resolved_at = now(), resolution = @note
            WHERE status = 'open' AND (@reason::text IS NULL OR reason = @reason) AND (@source::text IS NULL OR source = @source)
            RETURNING id
            """, new { reason, source, note }, tx).AsList();
        if (ids.Count > 0)
        {
            conn.Execute("INSERT INTO audit_log (actor, action, detail) VALUES (@actor, 'suspense.write-off', @detail::jsonb)", new
            {
                actor,
                detail = JsonSerializer.Serialize(new { reason, source, note, count = ids.Count, firstId = ids.Min(), lastId = ids.Max() }),
            }, tx);
        }

        tx.Commit();
        return ids.Count;
    }
}
