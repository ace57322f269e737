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

    /// <summary>The Hangfire entry point: arguments are names, never entities.</summary>
    public void Run(string source, string fileName) => Ingest(source, fileName);

    public IngestOutcome Ingest(string sourceName, string fileName)
    {
        using var _ = LogContext.PushProperty("CdrFile", $"{sourceName}/{fileName}");
        var source = options.Source(sourceName);
        var path = _drop.IncomingFile(sourceName, fileName);
        if (source is null)
        {
            return Skipped(sourceName, fileName, "?", $"no source named '{sourceName}' is configured");
        }

        if (!File.Exists(path))
        {
            return Skipped(sourceName, fileName, source.Format.ToString(), "no longer in incoming/ (already handled by another run)");
        }

        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        long size;
        Instant writtenAt;
        string checksum;
        ReaderOpening opening;
        try
        {
            var info = new FileInfo(path);
            size = info.Length;
            // A call cannot start after its file was written; nor after now, whatever the file's clock says.
            writtenAt = Instant.Min(Instant.FromDateTimeUtc(info.LastWriteTimeUtc), clock.GetCurrentInstant());
            checksum = Checksum(path);
            opening = CdrReaders.OpenFile(path, source, options.MaxFileBytes);
        }
        catch (FileNotFoundException)
        {
            return Skipped(sourceName, fileName, source.Format.ToString(), "no longer in incoming/ (already handled by another run)");
        }

        var format = source.Format.ToString().ToLowerInvariant();
        using var conn = db.Open();

        if (opening.Rejection is { } rejection)
        {
            return Reject(conn, source, fileName, checksum, size, format, rejection);
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
                using (var writer = staged ? UsageWriter.BeginStaged(tx, source.Name, fileId.Value) : UsageWriter.BeginDirect(tx, source.Name, fileId.Value))
                {
                    var streamStart = elapsed.Elapsed;
                    run = MediationPipeline.Run(reader, new CdrNormaliser(source, writtenAt), writer);
                    streamed = elapsed.Elapsed - streamStart;
                    if (run.Manifest is { } read && IsGarbage(read))
                    {
                        run = MediationRun.Rejected(
                            $"no row could be read as {format}: all {read.Read} rows are malformed (is this file in the right source folder?)");
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
        _drop.Archive(source.Name, fileName, fileId.Value, JsonSerializer.Serialize(outcome.Document(), ManifestJson));
        _log.Information("Archived {Source}/{File} as #{FileId}: read {Read} = accepted {Accepted} + suspended {Suspended} + duplicates {Duplicates} + filtered {Filtered} in {Seconds:F3} s ({StreamSeconds:F3} s reading and copying, {Mode})",
            source.Name, fileName, fileId, manifest.Read, manifest.Accepted, manifest.Suspended, manifest.Duplicates, manifest.Filtered,
            elapsed.Elapsed.TotalSeconds, streamed.TotalSeconds, staged ? "staged" : "direct");
        return outcome;
    }

    /// <summary>Not one row could be read as the format: the file is garbage, not a file with bad rows.</summary>
    private static bool IsGarbage(FileManifest read) =>
        read.Read > 0 && read.Accepted == 0 && read.Filtered == 0 && read.SuspendedByReason.Keys.All(SuspenseReasons.IsUnreadable);

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
            : $"same content as file #{earlier.Id} ({earlier.FileName}), processed {earlier.FinishedAt?.ToString() ?? "earlier"}";
        if (earlier is { Status: "archived" })
        {
            var outcome = new IngestOutcome { File = fileName, Source = source.Name, Format = format, Status = Statuses.AlreadyProcessed, Reason = reason, FileId = id };
            // The same file under the same name is this very drop, re-run (from the dashboard, or
            // after a crash between commit and move): its manifest is the stored one, not a pointer to itself.
            var manifest = string.Equals(earlier.FileName, fileName, StringComparison.Ordinal)
                ? outcome with { Status = Statuses.Archived, Manifest = earlier.Manifest, Reason = "moved by a re-run" }
                : outcome;
            if (_drop.Archive(source.Name, fileName, id, JsonSerializer.Serialize(manifest.Document(), ManifestJson)) is null)
            {
                return Skipped(source.Name, fileName, format, "no longer in incoming/ (already handled by another run)");
            }

            _log.Information("{Source}/{File} already processed: {Reason}", source.Name, fileName, reason);
            return outcome;
        }

        return Skipped(source.Name, fileName, format, reason);
    }

    private IngestOutcome Reject(Npgsql.NpgsqlConnection conn, SourceOptions source, string fileName, string checksum, long size, string format, string reason)
    {
        var id = CdrFileStore.RecordRejected(conn, source.Name, fileName, checksum, size, format, reason);
        _drop.Reject(source.Name, fileName, id, reason);
        _log.Warning("Rejected {Source}/{File} as #{FileId}: {Reason}", source.Name, fileName, id, reason);
        return new IngestOutcome { File = fileName, Source = source.Name, Format = format, Status = Statuses.Rejected, Reason = reason, FileId = id };
    }

    private static IngestOutcome Skipped(string source, string fileName, string format, string reason) =>
        new() { File = fileName, Source = source, Format = format, Status = Statuses.Skipped, Reason = reason };
}
