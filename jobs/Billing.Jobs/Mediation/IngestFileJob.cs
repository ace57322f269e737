using System.ComponentModel;
using System.Security.Cryptography;
using System.Text.Json;
using Billing.Core.Mediation;
using Billing.Mediation;
using Billing.Mediation.Readers;
using Billing.Storage;
using NodaTime;
using Serilog;
using Serilog.Context;
using static Billing.Jobs.Mediation.IngestOutcome;

namespace Billing.Jobs.Mediation;

/// <summary>
/// Ingests one CDR file from the drop folder: claim it by checksum, stream it through its source's
/// reader and the normaliser into PostgreSQL in one transaction, then archive or reject it.
/// Safe to re-run at any point: a crash before commit leaves nothing; after commit the rerun sees
/// the checksum and only finishes the move.
/// </summary>
public sealed class IngestFileJob(BillingDatabase db, MediationOptions options, IClock clock)
{
    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly ILogger _log = Log.ForContext<IngestFileJob>();
    private readonly DropFolder _drop = new(options.DropFolder);

    /// <summary>
    /// The Hangfire entry point: arguments are names, never entities. A file that could not be moved
    /// fails the job, so Hangfire tries again (the database work is done once either way).
    /// </summary>
    [DisplayName("Ingest {0}/{1}")]
    public IngestOutcome Run(string source, string fileName)
    {
        var outcome = Ingest(source, fileName);
        if (outcome.Status == Statuses.Failed)
        {
            throw new IOException($"{source}/{DropFolder.Printable(fileName)}: {outcome.Reason}");
        }

        // Returned: Hangfire keeps it on the job's succeeded state, where the dashboard shows it.
        return outcome;
    }

    public IngestOutcome Ingest(string sourceName, string fileName)
    {
        var shown = DropFolder.Printable(fileName);
        using var _ = LogContext.PushProperty("CdrFile", $"{sourceName}/{shown}");
        var source = options.Source(sourceName);
        if (source is null)
        {
            return Skipped(sourceName, fileName, "?", $"no source named '{sourceName}' is configured");
        }

        var format = source.Format.ToString().ToLowerInvariant();
        var path = _drop.IncomingFile(sourceName, fileName);
        // Judged without opening or following it: a FIFO would block the read, a link could lead anywhere.
        switch (EntryKinds.Of(path))
        {
            case null:
                return Skipped(sourceName, fileName, format, "no longer in incoming/ (already handled by another run)");
            case var kind when kind != EntryKind.RegularFile:
                return Skipped(sourceName, fileName, format, NotRegular(kind.Value));
        }

        try
        {
            return Ingest(source, fileName, format, path);
        }
        catch (FileNotFoundException)
        {
            return Skipped(sourceName, fileName, format, "no longer in incoming/ (already handled by another run)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // One file's trouble (unreadable, or a folder it should move to is unusable) is that file's:
            // reported, and the other files go on.
            _log.Error("{Source}/{File} failed: {Message}", sourceName, shown, e.Message);
            return new IngestOutcome { File = fileName, Source = sourceName, Format = format, Status = Statuses.Failed, Reason = e.Message };
        }
        catch (Exception e) when (IsThisFiles(e))
        {
            // A fault of ours that this file's content found (a bug, not bad input: bad input is suspended or rejected with its reason).
            // Its transaction is rolled back and the file stays in incoming/: the other files go on, and this one is read again by the
            // next run, once the program is fixed. Logged with the stack, for the report.
            _log.Error(e, "{Source}/{File} failed on an unexpected error; the file stays in incoming/ and the other files go on", sourceName, shown);
            return new IngestOutcome
            {
                File = fileName, Source = sourceName, Format = format, Status = Statuses.Failed,
                Reason = $"unexpected error ({e.GetType().Name}: {e.Message}); the file stays in incoming/ and is read again by the next run — please report it with the log",
            };
        }
    }

    /// <summary>
    /// Whether an error while ingesting one file is that file's, so that the other files go on: anything but the database
    /// being unreachable or shutting down (then every file would fail alike, and the run stops), a cancellation, or memory
    /// running out.
    /// </summary>
    private static bool IsThisFiles(Exception e) => e switch
    {
        OperationCanceledException or OutOfMemoryException => false,
        Npgsql.PostgresException pg => !(pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("57", StringComparison.Ordinal)),
        Npgsql.NpgsqlException => false,
        _ => true,
    };

    /// <summary>Why an entry that is not a regular file is left where it is.</summary>
    public static string NotRegular(EntryKind kind) => $"{EntryKinds.Describe(kind)}, not a regular file: left alone, never read";

    private IngestOutcome Ingest(SourceOptions source, string fileName, string format, string path)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        var info = new FileInfo(path);
        var size = info.Length;
        var lastWrite = info.LastWriteTimeUtc;
        using var conn = db.Open();
        if (CdrReaders.SizeProblem(size, options.MaxFileBytes) is { } sizeProblem)
        {
            // Decided before a byte is read: no checksum.
            return Reject(conn, source, fileName, NotRead, size, format, sizeProblem);
        }

        // A call cannot start after its file was written; nor after now, whatever the file's clock says.
        var writtenAt = Instant.Min(Instant.FromDateTimeUtc(lastWrite), clock.GetCurrentInstant());
        var checksum = Checksum(path);
        var opening = CdrReaders.OpenFile(path, source, options.MaxFileBytes);
        if (opening.Rejection is { } rejection)
        {
            return StillBeingWritten(path, size, lastWrite, source.Name, fileName, format) ?? Reject(conn, source, fileName, checksum, size, format, rejection);
        }

        var reader = opening.Reader!;
        using var readerGuard = reader; // disposed again by the write below: harmless, and covers every early exit
        using var tx = conn.BeginTransaction();
        var fileId = CdrFileStore.Claim(tx, source.Name, fileName, checksum, size, format);
        if (fileId is null)
        {
            reader.Dispose();
            tx.Rollback();
            return AlreadyProcessed(conn, source, fileName, checksum, format);
        }

        // Most files hold only new records: write them straight into usage. A record already stored
        // fails that COPY; then the file is read again through the staging table, which counts
        // duplicates. Sources whose files carry both legs of a call (priority) always go staged.
        var staged = source.Format == CdrFormat.FreeSwitch;
        MediationRun run;
        long inserted = 0;
        var streamed = TimeSpan.Zero;
        while (true)
        {
            tx.Save("write");
            try
            {
                using (reader)
                using (var writer = staged
                    ? UsageWriter.BeginStaged(tx, source.Name, fileId.Value, preferredReplacesEarlier: source.Format == CdrFormat.FreeSwitch)
                    : UsageWriter.BeginDirect(tx, source.Name, fileId.Value, options.SpillFolder()))
                {
                    var streamStart = elapsed.Elapsed;
                    run = MediationPipeline.Run(reader, new CdrNormaliser(source, writtenAt), writer, options.SuspenseLimits());
                    streamed = elapsed.Elapsed - streamStart;
                    if (run.Manifest is { } read && IsGarbage(read))
                    {
                        run = MediationRun.Rejected(
                            $"no row could be read as {format}: all {read.Read} rows are unreadable ({ByReason(read)}): is this file in the right source folder, and is it UTF-8?");
                    }

                    if (run.Rejection is null)
                    {
                        inserted = writer.Finish();
                    }
                }

                break;
            }
            catch (Exception e) when (!staged && UsageWriter.IsDuplicateRecord(e))
            {
                tx.Rollback("write");
                staged = true;
                reader = CdrReaders.OpenFile(path, source, options.MaxFileBytes).Reader
                    ?? throw new InvalidOperationException($"{path} changed while being ingested");
            }
        }

        // Written to since it was first looked at (a writer that paused longer than the settle time): what was read is not the
        // whole file, and moved now, the rest would land in archive/ unread. Nothing is kept; the next run reads it again.
        if (StillBeingWritten(path, size, lastWrite, source.Name, fileName, format) is { } unsettled)
        {
            tx.Rollback();
            return unsettled;
        }

        if (run.Rejection is { } unreadable)
        {
            // Nothing of the file is kept: its rows and its claim go, and the rejection is recorded on its own.
            tx.Rollback();
            return Reject(conn, source, fileName, checksum, size, format, unreadable);
        }

        var manifest = run.Manifest!.WithStored(inserted);
        CdrFileStore.Complete(tx, fileId.Value, manifest, reader.Header);
        tx.Commit();

        var outcome = new IngestOutcome
        {
            File = fileName,
            Source = source.Name,
            Format = format,
            Status = Statuses.Archived,
            Manifest = manifest,
            FileId = fileId,
        };
        if (Move(outcome, "archive/", () => _drop.Archive(source.Name, fileName, fileId.Value, JsonSerializer.Serialize(outcome.Document(), ManifestJson))) is { } failed)
        {
            return failed;
        }

        _log.Information("Archived {Source}/{File} as #{FileId}: read {Read} = accepted {Accepted} + suspended {Suspended} + duplicates {Duplicates} + filtered {Filtered} in {Seconds:F3} s ({StreamSeconds:F3} s reading and copying, {Mode})",
            source.Name, DropFolder.Printable(fileName), fileId, manifest.Read, manifest.Accepted, manifest.Suspended, manifest.Duplicates, manifest.Filtered,
            elapsed.Elapsed.TotalSeconds, streamed.TotalSeconds, staged ? "staged" : "direct");
        return outcome;
    }

    /// <summary>Not one row could be read as the format: the file is garbage, not a file with bad rows.</summary>
    private static bool IsGarbage(FileManifest read) =>
        read.Read > 0 && read.Accepted == 0 && read.Filtered == 0 && read.SuspendedByReason.Keys.All(SuspenseReasons.IsUnreadable);

    /// <summary>"bad-encoding 2, malformed-row 1": the reasons of a file's suspended rows, the most frequent first.</summary>
    private static string ByReason(FileManifest read) =>
        string.Join(", ", read.SuspendedByReason.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value:N0}"));

    /// <summary>The checksum of a file rejected before it was read (empty, or too large to read).</summary>
    public const string NotRead = "";

    public static string Checksum(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private IngestOutcome AlreadyProcessed(Npgsql.NpgsqlConnection conn, SourceOptions source, string fileName, string checksum, string format)
    {
        var earlier = CdrFileStore.FindProcessed(conn, source.Name, checksum);
        var id = earlier?.Id ?? 0;
        var reason = earlier is null
            ? "the same content is being processed by another run"
            : $"same content as file #{earlier.Id} ({DropFolder.Printable(earlier.FileName)}), processed {earlier.FinishedAt?.ToString() ?? "earlier"}";
        if (earlier is { Status: "archived" })
        {
            var outcome = new IngestOutcome { File = fileName, Source = source.Name, Format = format, Status = Statuses.AlreadyProcessed, Reason = reason, FileId = id };
            // The same file under the same name is this very drop, re-run (from the dashboard, or
            // after a crash between commit and move): its manifest is the stored one, not a pointer to itself.
            var manifest = string.Equals(earlier.FileName, fileName, StringComparison.Ordinal)
                ? outcome with { Status = Statuses.Archived, Manifest = earlier.Manifest, Reason = "moved by a re-run" }
                : outcome;
            string? moved = null;
            if (Move(outcome, "archive/", () => moved = _drop.Archive(source.Name, fileName, id, JsonSerializer.Serialize(manifest.Document(), ManifestJson))) is { } failed)
            {
                return failed;
            }

            if (moved is null)
            {
                return Skipped(source.Name, fileName, format, "no longer in incoming/ (already handled by another run)");
            }

            _log.Information("{Source}/{File} already processed: {Reason}", source.Name, DropFolder.Printable(fileName), reason);
            return outcome;
        }

        return Skipped(source.Name, fileName, format, reason);
    }

    /// <summary>
    /// Records the rejection (once: a rerun after a failed move finds the same row) and moves the file
    /// to rejected/ with its reason.
    /// </summary>
    private IngestOutcome Reject(Npgsql.NpgsqlConnection conn, SourceOptions source, string fileName, string checksum, long size, string format, string reason)
    {
        var id = CdrFileStore.RecordRejected(conn, source.Name, fileName, checksum, size, format, reason);
        var outcome = new IngestOutcome { File = fileName, Source = source.Name, Format = format, Status = Statuses.Rejected, Reason = reason, FileId = id };
        if (Move(outcome, "rejected/", () => _drop.Reject(source.Name, fileName, id, reason)) is { } failed)
        {
            return failed;
        }

        _log.Warning("Rejected {Source}/{File} as #{FileId}: {Reason}", source.Name, DropFolder.Printable(fileName), id, reason);
        return outcome;
    }

    /// <summary>
    /// Moves a file out of incoming/ once the database knows what became of it. A move that fails leaves
    /// the file where it is, its outcome recorded: the outcome says so, and the next run moves it.
    /// </summary>
    private IngestOutcome? Move(IngestOutcome recorded, string area, Action move)
    {
        try
        {
            move();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = $"{recorded.Status} as file #{recorded.FileId}{(recorded.Reason is null ? "" : $" ({recorded.Reason})")}, but the move to {area} failed: {e.Message}; the next run moves it";
            _log.Error("{Source}/{File}: {Reason}", recorded.Source, DropFolder.Printable(recorded.File), reason);
            return recorded with { Status = Statuses.Failed, Reason = reason };
        }
    }

    /// <summary>Skipped if the file's size or time of last write moved since they were read first (or it is gone); null if not.</summary>
    private IngestOutcome? StillBeingWritten(string path, long size, DateTime lastWrite, string source, string fileName, string format)
    {
        var now = new FileInfo(path);
        if (!now.Exists)
        {
            return Skipped(source, fileName, format, "no longer in incoming/ (already handled by another run)");
        }

        if (now.Length == size && now.LastWriteTimeUtc == lastWrite)
        {
            return null;
        }

        _log.Warning("{Source}/{File} changed while it was read ({Before} → {After} bytes): left in incoming/ for the next run", source, DropFolder.Printable(fileName), size, now.Length);
        return Skipped(source, fileName, format, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"still being written: it changed while it was read ({size:N0} → {now.Length:N0} bytes); left in incoming/ and read again by the next run"));
    }

    private static IngestOutcome Skipped(string source, string fileName, string format, string reason) =>
        new() { File = fileName, Source = source, Format = format, Status = Statuses.Skipped, Reason = reason };
}
