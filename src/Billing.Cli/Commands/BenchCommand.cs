using System.Text.Json;
using Billing.Benchmarks;

namespace Billing.Cli.Commands;

/// <summary>
/// billing bench ingest: generates N canonical CDRs in files, ingests them end to end and times a
/// plain binary COPY of the same rows (<see cref="IngestBenchmark"/>). Prints measured figures only.
/// </summary>
public static class BenchCommand
{
    public static int Ingest(GlobalOptions g, int rows, int files, int workers, TextWriter output)
    {
        if (rows < 1 || files < 1 || workers < 1)
        {
            throw new UserErrorException("--rows, --files and --workers must be at least 1.");
        }

        void Say(string line)
        {
            if (!g.Json)
            {
                output.WriteLine(line);
            }
        }

        var config = BillingConfig.Load(g.ConfigPath);
        var folder = Path.GetFullPath(Path.Combine(config.StateDirectory, "bench"));
        Say($"Generating {rows:N0} canonical CDRs in {files} file(s) under {Path.Combine(folder, "drop", "incoming", "canonical")} …");
        var bench = IngestBenchmark.WriteFiles(folder, rows, files);

        using var rt = Runtime.Start(g, database: "billing_bench", freshDatabase: g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        Say($"Database: {rt.Where}");
        var f = IngestBenchmark.Run(rt.Db, rt.Config.Mediation, bench, workers, Say);
        var result = new
        {
            rows,
            files,
            workers,
            fileMegabytes = Math.Round(f.FileBytes / 1048576m, 1),
            ingestSeconds = Math.Round((decimal)f.IngestSeconds, 3),
            ingestRowsPerSecond = Math.Round((decimal)f.IngestRowsPerSecond),
            plainCopySeconds = Math.Round((decimal)f.PlainCopySeconds, 3),
            plainCopyRowsPerSecond = Math.Round((decimal)f.PlainCopyRowsPerSecond),
            ratio = Math.Round((decimal)f.Ratio, 3),
            peakWorkingSetMegabytes = Math.Round(f.PeakWorkingSet / 1048576m, 1),
            peakDuringIngestMegabytes = Math.Round(f.PeakDuringIngest / 1048576m, 1),
            machine = BenchMachine.Description,
        };
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(result, BillingConfig.Json));
        }
        else
        {
            output.WriteLine();
            output.WriteLine($"bench ingest: {rows:N0} CDRs in {files} file(s) ({result.fileMegabytes} MiB), {workers} worker(s), {result.machine}");
            output.WriteLine($"  end to end (checksum, parse, normalise, COPY, dedupe, manifest, archive): {f.IngestSeconds,8:F2} s  {f.IngestRowsPerSecond,12:N0} CDRs/s");
            output.WriteLine($"  plain binary COPY of the same rows, {workers} connection(s), same table shape: {f.PlainCopySeconds,8:F2} s  {f.PlainCopyRowsPerSecond,12:N0} rows/s");
            output.WriteLine($"  ratio end to end / plain COPY: {f.Ratio:P1}");
            output.WriteLine($"  peak working set during ingest: {result.peakDuringIngestMegabytes} MiB");
        }

        IngestBenchmark.Remove(bench);
        return 0;
    }
}
