using System.CommandLine;
using System.Text.Json;
using Billing.Mediation;
using Billing.Storage;
using Billing.Storage.Rating;

namespace Billing.Cli.Commands;

/// <summary>billing suspense list|show|recycle|write-off: rows that could not be mediated, and usage held for rating.</summary>
public static class SuspenseCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var reason = new Option<string?>("--reason") { Description = "Only rows with this reason code (e.g. bad-number)" };
        var source = new Option<string?>("--source") { Description = "Only this source" };
        var list = new Command("list", "Open suspense rows grouped by source and reason");
        list.SetAction(p => cli.Run(p, g => List(g, Console.Out)));
        var recycle = new Command("recycle", "Run open suspense rows through mediation again (after a configuration fix)") { reason, source };
        recycle.SetAction(p => cli.Run(p, g => Recycle(g, p.GetValue(reason), p.GetValue(source), Console.Out)));
        var note = new Option<string>("--note") { Description = "Why these rows are closed (kept in the audit log)", Required = true }.NotBlank("say why the rows are closed; it is kept in the audit log");
        var by = new Option<string?>("--by") { Description = "Who writes them off (default: the OS user)" };
        var writeOff = new Command("write-off", "Close open suspense rows without usage, with an audit entry") { reason, source, note, by };
        writeOff.SetAction(p => cli.Run(p, g => WriteOff(g, p.GetValue(reason), p.GetValue(source), p.GetValue(note)!, p.GetValue(by), Console.Out)));
        var id = new Argument<long>("id") { Description = "The suspense row's id (`billing suspense list` names the first of each reason)" }.AtLeast(1);
        var show = new Command("show", "One suspended row: its file and line, the raw line as received, the reason and what became of it") { id };
        show.SetAction(p => cli.Run(p, g => Show(g, p.GetValue(id), Console.Out)));
        return new Command("suspense", "Rows that could not be mediated, with their reasons") { list, show, recycle, writeOff };
    }

    public static int List(GlobalOptions g, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var groups = SuspenseStore.OpenByReason(conn);
        var holds = HoldStore.ByReason(conn);
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

        var table = new TextTable("source", "reason", "rows", "files", "first id", "example");
        foreach (var grp in groups)
        {
            // A detail quotes the field it judged: whatever a caller put there, it must not drive the terminal.
            table.Add(grp.Source, grp.Reason, grp.Count, grp.Files, grp.FirstId, DropFolder.Printable(grp.ExampleDetail));
        }

        output.Write(table.ToString());
        output.WriteLine($"{groups.Sum(x => x.Count):N0} open row(s). A row as it came: billing suspense show ID. After fixing the configuration: billing suspense recycle [--reason R]; to close them: billing suspense write-off --reason R --note \"why\"");
        return 0;
    }

    public static int Show(GlobalOptions g, long id, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var row = SuspenseStore.Find(conn, id) ?? throw new UserErrorException($"No suspense row #{id}. `billing suspense list` names the first row of each reason.");
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                id = row.Id, source = row.Source, fileId = row.FileId, file = row.FileName, line = row.LineNo, header = row.Header, rawLine = row.RawLine,
                reason = row.Reason, detail = row.Detail, status = row.Status, attempts = row.Attempts, suspendedAt = row.CreatedAt.ToString(),
                resolvedAt = row.ResolvedAt?.ToString(), resolution = row.Resolution, usageId = row.UsageId,
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine($"Suspense row #{row.Id}: {row.Status}, tried {row.Attempts} time(s), suspended {row.CreatedAt.InUtc():uuuu-MM-dd HH:mm:ss} UTC");
        // The file's name and text as a switch wrote them, control characters escaped: they cannot drive the terminal.
        output.WriteLine($"file     {row.Source}/{DropFolder.Printable(row.FileName)} (file #{row.FileId}), line {row.LineNo:N0}");
        output.WriteLine($"reason   {row.Reason}: {DropFolder.Printable(row.Detail)}");
        if (row.Header is { } header)
        {
            output.WriteLine($"header   {DropFolder.Printable(header)}");
        }

        output.WriteLine($"raw line {DropFolder.Printable(row.RawLine)}");
        output.WriteLine(row.Status switch
        {
            "open" => $"After fixing the configuration: billing suspense recycle --reason {row.Reason} --source {row.Source}; to close it: billing suspense write-off --reason {row.Reason} --source {row.Source} --note \"why\"",
            "recycled" => $"Recycled {row.ResolvedAt?.InUtc().ToString("uuuu-MM-dd HH:mm:ss", null)} UTC: {row.Resolution}" + (row.UsageId is { } u ? $" (usage #{u})." : "."),
            _ => $"Written off {row.ResolvedAt?.InUtc().ToString("uuuu-MM-dd HH:mm:ss", null)} UTC: \"{row.Resolution}\" (the audit log has who).",
        });
        return 0;
    }

    public static int Recycle(GlobalOptions g, string? reason, string? source, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var result = rt.Jobs.RecycleSuspense().Run(reason, source);
        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(result, BillingConfig.Json)
            : $"Recycled {result.Examined:N0} open row(s): {result.Recycled:N0} now usage, {result.Duplicates:N0} already stored (duplicates), {result.Filtered:N0} filtered, {result.StillSuspended:N0} still in suspense" +
              (result.UnknownSource > 0 ? $", {result.UnknownSource:N0} left (their source is no longer configured)." : "."));
        return 0;
    }

    public static int WriteOff(GlobalOptions g, string? reason, string? source, string note, string? by, TextWriter output)
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
