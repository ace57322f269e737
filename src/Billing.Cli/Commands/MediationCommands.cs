using System.Text.Json;
using Billing.Jobs.Mediation;
using Billing.Mediation;
using Billing.Storage;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing ingest, files list, suspense list|recycle|write-off.</summary>
public static class MediationCommands
{
    public static int Ingest(GlobalOptions g, string? drop, int? settle, bool create, TextWriter output)
    {
        // Before the database starts: a mistyped --drop is an error, not a new folder tree.
        var folder = new DropFolder(drop ?? BillingConfig.Load(g.ConfigPath).Mediation.DropFolder);
        if (folder.Problem(create) is { } problem)
        {
            throw new UserErrorException(problem);
        }

        using var rt = Runtime.Start(g);
        var options = rt.Config.Mediation with
        {
            DropFolder = folder.Root,
            SettleSeconds = settle ?? rt.Config.Mediation.SettleSeconds,
        };
        if (!g.Json)
        {
            output.WriteLine($"Ingesting {Path.GetFullPath(options.DropFolder)}/incoming into {rt.Where}");
        }

        var job = new IngestDropFolderJob(rt.Db, options, SystemClock.Instance);
        var outcomes = job.IngestAll(g.Json ? null : o => output.WriteLine(Line(o)));
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(outcomes.Select(o => o.Document()), BillingConfig.Json));
        }
        else
        {
            output.WriteLine(Summary(outcomes));
        }

        return outcomes.Any(o => o.Status is IngestOutcome.Statuses.Rejected or IngestOutcome.Statuses.Failed) ? 3 : 0;
    }

    /// <summary>One line per file, whatever its name holds (control characters are shown escaped).</summary>
    public static string Line(IngestOutcome o) => o.Status switch
    {
        IngestOutcome.Statuses.Archived =>
            $"  {o.Status,-17} {DropFolder.Printable(o.Source)}/{DropFolder.Printable(o.File)}: read {o.Manifest.Read:N0} = accepted {o.Manifest.Accepted:N0} + suspended {o.Manifest.Suspended:N0} + duplicates {o.Manifest.Duplicates:N0} + filtered {o.Manifest.Filtered:N0}",
        _ => $"  {o.Status,-17} {DropFolder.Printable(o.Source)}/{DropFolder.Printable(o.File)}: {DropFolder.Printable(o.Reason ?? "")}",
    };

    public static string Summary(IReadOnlyList<IngestOutcome> outcomes)
    {
        if (outcomes.Count == 0)
        {
            return "No files waiting.";
        }

        int Count(string status) => outcomes.Count(o => o.Status == status);
        // Every manifest read this run: archived files, and files stored but not moved (failed).
        var read = outcomes.Select(o => o.Manifest).ToList();
        var failed = Count(IngestOutcome.Statuses.Failed);
        return $"{outcomes.Count} file(s): {Count(IngestOutcome.Statuses.Archived)} archived, {Count(IngestOutcome.Statuses.Rejected)} rejected, " +
               $"{Count(IngestOutcome.Statuses.AlreadyProcessed)} already processed, {Count(IngestOutcome.Statuses.Skipped)} skipped{(failed > 0 ? $", {failed} failed" : "")}. " +
               $"Records: read {read.Sum(o => o.Read):N0} = accepted {read.Sum(o => o.Accepted):N0} + suspended {read.Sum(o => o.Suspended):N0} + duplicates {read.Sum(o => o.Duplicates):N0} + filtered {read.Sum(o => o.Filtered):N0}.";
    }

    public static int FilesList(GlobalOptions g, int limit, string? source, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var rows = CdrFileStore.List(conn, limit, source);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
            {
                id = r.Id, source = r.Source, file = r.FileName, format = r.Format, status = r.Status, read = r.Manifest.Read,
                accepted = r.Manifest.Accepted, suspended = r.Manifest.Suspended, duplicates = r.Manifest.Duplicates, filtered = r.Manifest.Filtered,
                reason = r.Reason, checksum = r.Checksum, sizeBytes = r.SizeBytes, startedAt = r.StartedAt.ToString(), finishedAt = r.FinishedAt?.ToString(),
            }), BillingConfig.Json));
            return 0;
        }

        if (rows.Count == 0)
        {
            output.WriteLine("No CDR files processed yet. Drop files into <drop>/incoming/<source>/ and run `billing ingest`.");
            return 0;
        }

        var table = new TextTable("id", "source", "file", "status", "read", "accepted", "suspended", "duplicates", "filtered", "finished (UTC)", "reason");
        foreach (var r in rows)
        {
            table.Add(r.Id, r.Source, DropFolder.Printable(r.FileName), r.Status, r.Manifest.Read, r.Manifest.Accepted, r.Manifest.Suspended, r.Manifest.Duplicates, r.Manifest.Filtered,
                r.FinishedAt?.ToString("uuuu-MM-dd HH:mm:ss", null), r.Reason is null ? null : DropFolder.Printable(r.Reason));
        }

        output.Write(table.ToString());
        return 0;
    }

    public static int SuspenseList(GlobalOptions g, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var groups = SuspenseStore.OpenByReason(conn);
        var holds = Billing.Storage.Rating.HoldStore.ByReason(conn);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { mediation = groups, rating = holds.Select(h => new { reason = h.Reason, count = h.Count, example = h.Example }) }, BillingConfig.Json));
            return 0;
        }

        if (holds.Count > 0)
        {
            var held = new TextTable("rating hold", "usage records", "example");
            foreach (var h in holds)
            {
                held.Add(h.Reason, h.Count, h.Example);
            }

            output.Write(held.ToString());
            output.WriteLine($"{holds.Sum(h => h.Count):N0} usage record(s) wait for rating; `billing rate` tries them again once a subscriber is imported or a catalogue loaded.");
            output.WriteLine();
        }

        if (groups.Count == 0)
        {
            output.WriteLine("Mediation suspense is empty: no open rows.");
            return 0;
        }

        var table = new TextTable("source", "reason", "rows", "files", "example");
        foreach (var grp in groups)
        {
            table.Add(grp.Source, grp.Reason, grp.Count, grp.Files, grp.ExampleDetail);
        }

        output.Write(table.ToString());
        output.WriteLine($"{groups.Sum(x => x.Count):N0} open row(s). After fixing the configuration: billing suspense recycle [--reason R]; to close them: billing suspense write-off --reason R --note \"why\"");
        return 0;
    }

    public static int SuspenseRecycle(GlobalOptions g, string? reason, string? source, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var result = new RecycleSuspenseJob(rt.Db, rt.Config.Mediation).Run(reason, source);
        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(result, BillingConfig.Json)
            : $"Recycled {result.Examined:N0} open row(s): {result.Recycled:N0} now usage, {result.Duplicates:N0} already stored (duplicates), {result.Filtered:N0} filtered, {result.StillSuspended:N0} still in suspense" +
              (result.UnknownSource > 0 ? $", {result.UnknownSource:N0} left (their source is no longer configured)." : "."));
        return 0;
    }

    public static int SuspenseWriteOff(GlobalOptions g, string? reason, string? source, string note, string? by, TextWriter output)
    {
        if (reason is null && source is null)
        {
            throw new UserErrorException("Say what to write off: --reason R and/or --source S (write-off of all suspense at once is refused).");
        }

        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var actor = by ?? Environment.UserName;
        var count = SuspenseStore.WriteOff(conn, reason, source, actor, note);
        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(new { writtenOff = count, reason, source, actor, note }, BillingConfig.Json)
            : $"Wrote off {count:N0} open suspense row(s) ({reason ?? "any reason"}, {source ?? "any source"}) as {actor}: \"{note}\". Recorded in the audit log.");
        return 0;
    }
}
