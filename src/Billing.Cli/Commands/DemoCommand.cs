using Billing.Jobs.Mediation;
using Billing.Storage;
using Dapper;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>
/// billing demo: the present pipeline end to end on sample-cdrs/, with the embedded default, into a
/// fresh demo database and a scratch drop folder, then a summary a person can read.
/// </summary>
public static class DemoCommand
{
    public static int Run(GlobalOptions g, string? samples, TextWriter output)
    {
        var samplesDir = samples ?? FindSamples()
            ?? throw new UserErrorException("Cannot find sample-cdrs/. Run the demo from the repository, or pass --samples DIR.");
        var config = BillingConfig.Load(g.ConfigPath);
        var drop = Path.Combine(config.StateDirectory, "demo", "drop");
        if (Directory.Exists(drop))
        {
            Directory.Delete(drop, recursive: true);
        }

        var copied = CopySamples(samplesDir, drop);
        output.WriteLine($"billing demo — {copied} sample CDR file(s) from {Path.GetFullPath(samplesDir)}");
        output.WriteLine("Starting PostgreSQL and migrating a fresh demo database…");
        using var rt = Runtime.Start(g, database: "billing_demo", freshDatabase: g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        output.WriteLine($"Database: {rt.Where}");
        output.WriteLine($"Drop folder: {Path.GetFullPath(drop)}");
        output.WriteLine();
        output.WriteLine("Mediation (one line per file):");
        var options = rt.Config.Mediation with { DropFolder = drop, SettleSeconds = 0 };
        var outcomes = new IngestDropFolderJob(rt.Db, options, SystemClock.Instance).IngestAll(o => output.WriteLine(MediationCommands.Line(o)));
        output.WriteLine();
        output.WriteLine(MediationCommands.Summary(outcomes));

        using var conn = rt.Db.Open();
        output.WriteLine();
        output.WriteLine("Usage stored, by source and service:");
        var table = new TextTable("source", "service", "records", "seconds", "bytes", "first (UTC)", "last (UTC)");
        foreach (var r in conn.Query<(string Source, short Service, long Records, long Seconds, long Bytes, Instant First, Instant Last)>("""
            SELECT source, service, count(*), sum(duration_s)::bigint, sum(volume_bytes)::bigint, min(start_utc), max(start_utc)
            FROM usage GROUP BY source, service ORDER BY source, service
            """))
        {
            table.Add(r.Source, ((Billing.Core.Usage.ServiceType)r.Service).ToString().ToLowerInvariant(), r.Records, r.Seconds, r.Bytes,
                r.First.ToString("uuuu-MM-dd HH:mm:ss", null), r.Last.ToString("uuuu-MM-dd HH:mm:ss", null));
        }

        output.Write(table.ToString());
        var suspense = SuspenseStore.OpenByReason(conn);
        if (suspense.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Suspense (open rows, by reason):");
            var st = new TextTable("source", "reason", "rows", "example");
            foreach (var s in suspense)
            {
                st.Add(s.Source, s.Reason, s.Count, s.ExampleDetail);
            }

            output.Write(st.ToString());
        }

        output.WriteLine();
        output.WriteLine($"Archived files and their manifests: {Path.GetFullPath(Path.Combine(drop, "archive"))}");
        output.WriteLine($"Rejected files and their reasons:   {Path.GetFullPath(Path.Combine(drop, "rejected"))}");
        output.WriteLine("Next: billing files list · billing suspense list · billing serve (Hangfire dashboard at /hangfire)");
        return 0;
    }

    /// <summary>sample-cdrs/ in the working directory or above it, or above the program.</summary>
    public static string? FindSamples()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "sample-cdrs");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Copies sample files (not their expectations) into incoming/, dated in the past so they count as settled.</summary>
    public static int CopySamples(string samplesDir, string drop)
    {
        var count = 0;
        foreach (var sourceDir in Directory.EnumerateDirectories(samplesDir).Order(StringComparer.Ordinal))
        {
            var target = Path.Combine(drop, "incoming", Path.GetFileName(sourceDir));
            Directory.CreateDirectory(target);
            foreach (var file in Directory.EnumerateFiles(sourceDir).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                if (name.EndsWith(".expected.json", StringComparison.Ordinal) || name.Equals("README.md", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var copy = Path.Combine(target, name);
                File.Copy(file, copy, overwrite: true);
                File.SetLastWriteTimeUtc(copy, File.GetLastWriteTimeUtc(file).AddMinutes(-1));
                count++;
            }
        }

        return count;
    }
}
