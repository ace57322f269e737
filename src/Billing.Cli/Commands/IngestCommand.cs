using System.CommandLine;
using System.Text.Json;
using Billing.Jobs.Mediation;
using Billing.Mediation;

namespace Billing.Cli.Commands;

/// <summary>billing ingest: every CDR file waiting in the drop folder, one line per file.</summary>
public static class IngestCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var drop = new Option<string?>("--drop") { Description = "Drop folder (default from configuration: ./drop)" };
        var settle = new Option<int?>("--settle") { Description = "Seconds a file must be unmodified before it is read, 0 to 86400 (default 5)" }.Within(0, 86_400);
        var create = new Option<bool>("--create") { Description = "Create the drop folder if it does not exist (else a missing folder is an error)" };
        var ingest = new Command("ingest", "Ingest every CDR file waiting in <drop>/incoming/<source>/; one line per file") { drop, settle, create };
        ingest.SetAction(p => cli.Run(p, g => Ingest(g, p.GetValue(drop), p.GetValue(settle), p.GetValue(create), Console.Out)));
        return ingest;
    }

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

        var outcomes = rt.Jobs.IngestDropFolder(options).IngestAll(g.Json ? null : o => output.WriteLine(Line(o)));
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
}
