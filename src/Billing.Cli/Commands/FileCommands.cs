using System.CommandLine;
using System.Text.Json;
using Billing.Mediation;
using Billing.Storage;

namespace Billing.Cli.Commands;

/// <summary>billing files list: the manifests of processed CDR files.</summary>
public static class FileCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var limit = new Option<int>("--limit") { Description = "How many files, newest first (at least 1)", DefaultValueFactory = _ => 50 }.AtLeast(1);
        var source = new Option<string?>("--source") { Description = "Only this source" };
        var list = new Command("list", "The manifest of processed files: read = accepted + suspended + duplicates + filtered") { limit, source };
        list.SetAction(p => cli.Run(p, g => List(g, p.GetValue(limit), p.GetValue(source), Console.Out)));
        return new Command("files", "CDR file manifests") { list };
    }

    public static int List(GlobalOptions g, int limit, string? source, TextWriter output)
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
}
