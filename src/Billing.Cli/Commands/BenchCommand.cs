using System.CommandLine;
using System.Text.Json;
using Billing.Benchmarks;

namespace Billing.Cli.Commands;

/// <summary>
/// billing bench: benchmarks that print measured figures. bench ingest (here) generates N canonical
/// CDRs in files, ingests them end to end and times a plain binary COPY of the same rows
/// (<see cref="IngestBenchmark"/>); bench rate and bench engine build their own commands.
/// </summary>
public static class BenchCommand
{
    /// <summary>The most records or events a benchmark generates.</summary>
    public const int MaxRows = 100_000_000;

    /// <summary>The most workers (threads, processes or connections) a benchmark runs at once.</summary>
    public const int MaxWorkers = 64;

    /// <summary>At most 100 timed rounds.</summary>
    public const int MaxRepeat = 100;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var rows = Rows("How many CDRs", 2_000_000);
        var files = new Option<int>("--files") { Description = "Spread over this many files, 1 to 10,000", DefaultValueFactory = _ => 20 }.Within(1, 10_000);
        var workers = Workers("Files ingested in parallel (as Hangfire workers would)");
        var ingest = new Command("ingest", "Generate canonical CDRs, ingest them, and compare with a plain binary COPY") { rows, files, workers };
        ingest.SetAction(p => cli.Run(p, g => Ingest(g, p.GetValue(rows), p.GetValue(files), p.GetValue(workers), Console.Out)));
        return new Command("bench", "Benchmarks that print measured figures") { ingest, BenchRateCommand.Build(cli), BenchEngineCommand.Build(cli), BenchBillRunCommand.Build(cli), BenchPdfCommand.Build(cli), BenchDunningCommand.Build(cli), BenchLatencyCommand.Build(cli) };
    }

    /// <summary>--rows: 1 to <see cref="MaxRows"/>.</summary>
    public static Option<int> Rows(string description, int byDefault) =>
        new Option<int>("--rows") { Description = $"{description}, 1 to {MaxRows:N0}", DefaultValueFactory = _ => byDefault }.Within(1, MaxRows);

    /// <summary>--workers: 1 to <see cref="MaxWorkers"/>, by default one per processor.</summary>
    public static Option<int> Workers(string description) =>
        new Option<int>("--workers") { Description = $"{description}, 1 to {MaxWorkers}", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, MaxWorkers) }.Within(1, MaxWorkers);

    /// <summary>--repeat: 1 to <see cref="MaxRepeat"/>.</summary>
    public static Option<int> Repeat(string description, int byDefault) =>
        new Option<int>("--repeat") { Description = $"{description}, 1 to {MaxRepeat}", DefaultValueFactory = _ => byDefault }.Within(1, MaxRepeat);

    /// <summary>--prefixes of the synthetic catalogue: 3 (its fixed UK prefixes) to 1,000,000.</summary>
    public static Option<int> Prefixes(string description) =>
        new Option<int>("--prefixes") { Description = $"{description}, 3 to 1,000,000", DefaultValueFactory = _ => 5_000 }.Within(3, 1_000_000);

    /// <summary>--subscribers: 1 to 10,000,000.</summary>
    public static Option<int> Subscribers(string description, int byDefault) =>
        new Option<int>("--subscribers") { Description = $"{description}, 1 to 10,000,000", DefaultValueFactory = _ => byDefault }.Within(1, 10_000_000);

    public static int Ingest(GlobalOptions g, int rows, int files, int workers, TextWriter output)
    {
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
