using Billing.Core.Usage;
using Billing.Mediation;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Storage;

/// <summary>
/// Streams a file's mediated rows into a temporary staging table by binary COPY, then moves them
/// set-based into <c>usage</c> (deduplicated on (source, record key)) and <c>suspense</c>, inside
/// the file's transaction. Memory does not grow with the file.
/// </summary>
public sealed class UsageStagingWriter : IMediatedRowSink, IDisposable
{
    private const short KindUsage = 0;
    private const short KindSuspense = 1;

    private readonly NpgsqlTransaction _tx;
    private NpgsqlBinaryImporter? _copy;
    private bool _hasLowPriority;

    private UsageStagingWriter(NpgsqlTransaction tx) => _tx = tx;

    public long Staged { get; private set; }

    public static UsageStagingWriter Begin(NpgsqlTransaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var conn = tx.Connection!;
        conn.Execute("""
            CREATE TEMP TABLE stage_rows (
                kind smallint NOT NULL, record_key text, service smallint, msisdn text, destination text,
                start_utc timestamptz, duration_s bigint, volume_bytes bigint, cell_id text,
                line_no bigint NOT NULL, priority smallint NOT NULL,
                raw_line text, reason text, detail text) ON COMMIT DROP
            """, transaction: tx);
        var writer = new UsageStagingWriter(tx)
        {
            _copy = conn.BeginBinaryImport("""
                COPY stage_rows (kind, record_key, service, msisdn, destination, start_utc, duration_s,
                                 volume_bytes, cell_id, line_no, priority, raw_line, reason, detail)
                FROM STDIN (FORMAT BINARY)
                """),
        };
        return writer;
    }

    public void Accept(UsageRecord usage, long lineNumber, int priority)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var c = _copy!;
        c.StartRow();
        c.Write(KindUsage, NpgsqlDbType.Smallint);
        c.Write(usage.RecordKey, NpgsqlDbType.Text);
        c.Write((short)usage.Service, NpgsqlDbType.Smallint);
        c.Write(usage.Msisdn, NpgsqlDbType.Text);
        WriteNullable(c, usage.Destination);
        c.Write(usage.Start, NpgsqlDbType.TimestampTz);
        c.Write(usage.DurationSeconds, NpgsqlDbType.Bigint);
        c.Write(usage.VolumeBytes, NpgsqlDbType.Bigint);
        WriteNullable(c, usage.CellId);
        c.Write(lineNumber, NpgsqlDbType.Bigint);
        c.Write((short)priority, NpgsqlDbType.Smallint);
        c.WriteNull();
        c.WriteNull();
        c.WriteNull();
        _hasLowPriority |= priority != 0;
        Staged++;
    }

    public void Suspend(long lineNumber, string rawLine, string reason, string detail)
    {
        var c = _copy!;
        c.StartRow();
        c.Write(KindSuspense, NpgsqlDbType.Smallint);
        for (var i = 0; i < 8; i++)
        {
            c.WriteNull();
        }

        c.Write(lineNumber, NpgsqlDbType.Bigint);
        c.Write((short)0, NpgsqlDbType.Smallint);
        c.Write(Clean(rawLine), NpgsqlDbType.Text);
        c.Write(reason, NpgsqlDbType.Text);
        c.Write(Clean(detail), NpgsqlDbType.Text);
    }

    /// <summary>Ends the COPY and moves the staged rows. Returns how many usage rows were new.</summary>
    public long Finish(string source, long fileId)
    {
        _copy!.Complete();
        _copy.Dispose();
        _copy = null;
        var conn = _tx.Connection!;
        long inserted = 0;
        // Priority 0 first, so that within a file the preferred row of a key (a FreeSWITCH a-leg) wins.
        foreach (var priority in _hasLowPriority ? new short[] { 0, 1 } : [0])
        {
            inserted += conn.Execute("""
                INSERT INTO usage (source, record_key, service, msisdn, destination, start_utc, duration_s,
                                   volume_bytes, cell_id, file_id, line_no)
                SELECT @source, record_key, service, msisdn, destination, start_utc, duration_s,
                       volume_bytes, cell_id, @fileId, line_no
                FROM stage_rows WHERE kind = 0 AND priority = @priority
                ON CONFLICT (source, record_key) DO NOTHING
                """, new { source, fileId, priority }, _tx);
        }

        conn.Execute("""
            INSERT INTO suspense (file_id, source, line_no, raw_line, reason, detail)
            SELECT @fileId, @source, line_no, raw_line, reason, detail FROM stage_rows WHERE kind = 1
            ORDER BY line_no
            """, new { source, fileId }, _tx);
        return inserted;
    }

    public void Dispose() => _copy?.Dispose();

    private static void WriteNullable(NpgsqlBinaryImporter c, string? value)
    {
        if (value is null)
        {
            c.WriteNull();
        }
        else
        {
            c.Write(value, NpgsqlDbType.Text);
        }
    }

    /// <summary>PostgreSQL text cannot hold NUL; a raw line is evidence, so keep it otherwise intact.</summary>
    private static string Clean(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;
}
