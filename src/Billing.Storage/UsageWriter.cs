using Billing.Core.Mediation;
using Billing.Core.Usage;
using Dapper;
using Npgsql;

namespace Billing.Storage;

/// <summary>
/// Writes one file's mediated rows inside the file's transaction, by binary COPY, in one of two ways:
/// <list type="bullet">
/// <item><b>Direct</b> (the fast path, for files whose records are all new): COPY straight into
/// <c>usage</c>; suspended rows wait in a <see cref="SuspenseBuffer"/> and follow. A record already
/// stored makes the COPY fail with a unique violation: the caller rolls back to its savepoint and
/// re-runs the file staged.</item>
/// <item><b>Staged</b>: COPY into a temporary table, then move set-based into <c>usage</c>
/// (<c>ON CONFLICT DO NOTHING</c> counts duplicates; priority 0 rows first) and <c>suspense</c>.</item>
/// </list>
/// Memory does not grow with the file either way.
/// </summary>
public sealed class UsageWriter : IMediatedRowSink, IDisposable
{
    private readonly NpgsqlTransaction _tx;
    private readonly string _source;
    private readonly long _fileId;
    private readonly bool _direct;
    private readonly SuspenseBuffer? _suspense;
    private BinaryCopyWriter? _copy;
    private bool _hasLowPriority;
    private bool _preferredReplacesEarlier;
    private long _staged;

    private UsageWriter(NpgsqlTransaction tx, string source, long fileId, string? spillFolder)
    {
        _tx = tx;
        _source = source;
        _fileId = fileId;
        _direct = spillFolder is not null;
        _suspense = spillFolder is null ? null : new SuspenseBuffer(spillFolder);
    }

    /// <summary>The unique violation that tells the caller to re-run a direct write staged.</summary>
    public static bool IsDuplicateRecord(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "usage_identity" };

    /// <param name="spillFolder">Where suspended rows beyond the first <see cref="SuspenseBuffer.InMemoryLimit"/> wait for the COPY.</param>
    public static UsageWriter BeginDirect(NpgsqlTransaction tx, string source, long fileId, string spillFolder)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(spillFolder);
        return new UsageWriter(tx, source, fileId, spillFolder)
        {
            _copy = BinaryCopyWriter.Begin(tx.Connection!, """
                COPY usage (source, record_key, service, msisdn, destination, start_utc, duration_s,
                            volume_bytes, cell_id, file_id, line_no)
                FROM STDIN (FORMAT BINARY)
                """),
        };
    }

    /// <param name="preferredReplacesEarlier">
    /// The source's files carry rows that lose to another row of the same key (a FreeSWITCH b-leg to its a-leg): a priority 0
    /// row replaces what an earlier file stored under its key, while that is not rated yet (a b-leg whose a-leg came later).
    /// </param>
    public static UsageWriter BeginStaged(NpgsqlTransaction tx, string source, long fileId, bool preferredReplacesEarlier = false)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var conn = tx.Connection!;
        conn.Execute("""
            CREATE TEMP TABLE stage_rows (
                kind smallint NOT NULL, record_key text COLLATE "C", service smallint, msisdn text, destination text,
                start_utc timestamptz, duration_s bigint, volume_bytes bigint, cell_id text,
                line_no bigint NOT NULL, priority smallint NOT NULL,
                raw_line text, reason text, detail text) ON COMMIT DROP
            """, transaction: tx);
        return new UsageWriter(tx, source, fileId, spillFolder: null)
        {
            _preferredReplacesEarlier = preferredReplacesEarlier,
            _copy = BinaryCopyWriter.Begin(conn, """
                COPY stage_rows (kind, record_key, service, msisdn, destination, start_utc, duration_s,
                                 volume_bytes, cell_id, line_no, priority, raw_line, reason, detail)
                FROM STDIN (FORMAT BINARY)
                """),
        };
    }

    public void Accept(UsageRecord usage, long lineNumber, int priority)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var c = _copy!;
        if (_direct)
        {
            c.StartRow(11);
            c.Write(_source);
        }
        else
        {
            c.StartRow(14);
            c.Write((short)0);
        }

        c.Write(usage.RecordKey);
        c.Write((short)usage.Service);
        c.Write(usage.Msisdn);
        c.WriteNullable(usage.Destination);
        c.Write(usage.Start);
        c.Write(usage.DurationSeconds);
        c.Write(usage.VolumeBytes);
        c.WriteNullable(usage.CellId);
        if (_direct)
        {
            c.Write(_fileId);
            c.Write(lineNumber);
        }
        else
        {
            c.Write(lineNumber);
            c.Write((short)priority);
            c.WriteNull();
            c.WriteNull();
            c.WriteNull();
            _hasLowPriority |= priority != 0;
        }

        _staged++;
    }

    public void Suspend(SuspendedRecord record)
    {
        var clean = record with { RawLine = Clean(record.RawLine), Detail = Clean(record.Detail) };
        if (_suspense is not null)
        {
            _suspense.Add(clean);
            return;
        }

        var c = _copy!;
        c.StartRow(14);
        c.Write((short)1);
        for (var i = 0; i < 8; i++)
        {
            c.WriteNull();
        }

        c.Write(clean.LineNumber);
        c.Write((short)0);
        c.Write(clean.RawLine);
        c.Write(clean.Reason);
        c.Write(clean.Detail);
    }

    /// <summary>Ends the COPY and stores the rows. Returns how many usage rows were new.</summary>
    public long Finish()
    {
        _copy!.Complete();
        _copy = null;
        var conn = _tx.Connection!;
        if (_direct)
        {
            WriteSuspense(conn);
            return _staged;
        }

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
                """, new { source = _source, fileId = _fileId, priority }, _tx);
        }

        if (_preferredReplacesEarlier)
        {
            // The call's own fields only: the row stays its file's (file_id, line_no, id), so every file's count still holds.
            conn.Execute("""
                UPDATE usage u
                SET service = p.service, msisdn = p.msisdn, destination = p.destination, start_utc = p.start_utc,
                    duration_s = p.duration_s, volume_bytes = p.volume_bytes, cell_id = p.cell_id
                FROM (SELECT DISTINCT ON (record_key) * FROM stage_rows WHERE kind = 0 AND priority = 0 ORDER BY record_key, line_no) p
                WHERE u.source = @source AND u.record_key = p.record_key AND u.file_id <> @fileId
                  AND (u.service, u.msisdn, u.destination, u.start_utc, u.duration_s, u.volume_bytes, u.cell_id)
                      IS DISTINCT FROM (p.service, p.msisdn, p.destination, p.start_utc, p.duration_s, p.volume_bytes, p.cell_id)
                  AND NOT EXISTS (SELECT 1 FROM rated_charges r WHERE r.usage_id = u.id)
                """, new { source = _source, fileId = _fileId }, _tx);
        }

        conn.Execute("""
            INSERT INTO suspense (file_id, source, line_no, raw_line, reason, detail)
            SELECT @fileId, @source, line_no, raw_line, reason, detail FROM stage_rows WHERE kind = 1
            ORDER BY line_no
            """, new { source = _source, fileId = _fileId }, _tx);
        return inserted;
    }

    public void Dispose()
    {
        _copy?.Dispose();
        _suspense?.Dispose();
    }

    private void WriteSuspense(NpgsqlConnection conn)
    {
        if (_suspense!.Count == 0)
        {
            return;
        }

        using var copy = BinaryCopyWriter.Begin(conn, "COPY suspense (file_id, source, line_no, raw_line, reason, detail) FROM STDIN (FORMAT BINARY)");
        foreach (var row in _suspense.Rows())
        {
            copy.StartRow(6);
            copy.Write(_fileId);
            copy.Write(_source);
            copy.Write(row.LineNumber);
            copy.Write(row.RawLine);
            copy.Write(row.Reason);
            copy.Write(row.Detail);
        }

        copy.Complete();
    }

    /// <summary>PostgreSQL text cannot hold NUL; a raw line is evidence, so keep it otherwise intact.</summary>
    private static string Clean(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;
}

/// <summary>
/// Suspended rows of a file being written directly: kept in memory up to a limit (10,000 rows, or
/// 16 MiB of text when the rows are long), then spilled to a file in the spill folder, so a file of
/// nothing but bad rows does not grow memory. The spill file is
/// unlinked as soon as it is open (on Unix): the open handle keeps it, and no exit path — a crash, a
/// kill — can leave it behind. <see cref="Sweep"/> removes any left by a system that cannot do that.
/// </summary>
public sealed class SuspenseBuffer(string spillFolder) : IDisposable
{
    public const int InMemoryLimit = 10_000;

    private const string SpillPattern = "suspense-*.spill";

    private readonly List<SuspendedRecord> _memory = [];
    private BinaryWriter? _spill;

    /// <summary>Rows are kept in memory while they hold no more than this (as .NET holds text: two bytes a character).</summary>
    public const long InMemoryBytesLimit = 16L * 1024 * 1024;

    private long _memoryBytes;

    public long Count { get; private set; }

    /// <summary>How many rows are held in memory; the others wait in the spill file.</summary>
    public int InMemoryRows => _memory.Count;

    /// <summary>Deletes the spill files left in <paramref name="folder"/>; returns how many. Run at the start of an ingest.</summary>
    public static int Sweep(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var swept = 0;
        foreach (var leftover in Directory.EnumerateFiles(folder, SpillPattern))
        {
            try
            {
                File.Delete(leftover);
                swept++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // still open by a live writer on a system that cannot unlink open files: it goes with it
            }
        }

        return swept;
    }

    public void Add(SuspendedRecord record)
    {
        Count++;
        var bytes = 2L * (record.RawLine.Length + record.Detail.Length);
        if (_spill is null && _memory.Count < InMemoryLimit && _memoryBytes + bytes <= InMemoryBytesLimit)
        {
            _memory.Add(record);
            _memoryBytes += bytes;
            return;
        }

        _spill ??= new BinaryWriter(OpenSpill());
        _spill.Write(record.LineNumber);
        _spill.Write(record.RawLine);
        _spill.Write(record.Reason);
        _spill.Write(record.Detail);
    }

    public IEnumerable<SuspendedRecord> Rows()
    {
        foreach (var row in _memory)
        {
            yield return row;
        }

        if (_spill is null)
        {
            yield break;
        }

        _spill.Flush();
        var stream = _spill.BaseStream;
        stream.Position = 0;
        var reader = new BinaryReader(stream);
        while (stream.Position < stream.Length)
        {
            yield return new SuspendedRecord(reader.ReadInt64(), reader.ReadString(), reader.ReadString(), reader.ReadString());
        }
    }

    public void Dispose() => _spill?.Dispose();

    private FileStream OpenSpill()
    {
        Directory.CreateDirectory(spillFolder);
        var path = Path.Combine(spillFolder, $"suspense-{Environment.ProcessId}-{Guid.NewGuid():N}.spill");
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        }

        // Readable by this user only (the rows are call records) for the moment it has a name at all.
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 1 << 16,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        File.Delete(path);
        return stream;
    }
}
