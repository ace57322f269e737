using System.CommandLine;
using System.Text.Json;
using Billing.Benchmarks;

namespace Billing.Cli.Commands;

/// <summary>
/// billing bench: benchmarks that print measured figures. bench ingest (here) generates N canonical
/// CDRs in files, and per round times a text COPY of the files (the hand-made reference), ingests them
/// end to end and times a plain binary COPY of the same rows (<see cref="IngestBenchmark"/>); the other
/// benchmarks build their own commands.
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
        var repeat = Repeat("Timed rounds (the files are generated again for each)", 1);
        var ingest = new Command("ingest", "Generate canonical CDRs, ingest them, and compare with a text COPY of the same files (psql \\copy) and a plain binary COPY") { rows, files, workers, repeat };
        ingest.SetAction(p => cli.Run(p, g => Ingest(g, p.GetValue(rows), p.GetValue(files), p.GetValue(workers), p.GetValue(repeat), Console.Out)));
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

    /// <summary>The issue's target for ingest: at least this share of the hand-made text COPY.</summary>
    public const decimal IngestTarget = 0.8m;

    public static int Ingest(GlobalOptions g, int rows, int files, int workers, int repeat, TextWriter output)
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
        using var rt = Runtime.Start(g, database: "billing_bench", freshDatabase: g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        Say($"Database: {rt.Where}");
        var rounds = new List<IngestFigures>();
        long fileBytes = 0;
        for (var round = 1; round <= repeat; round++)
        {
            Say($"Round {round} of {repeat}: generating {rows:N0} canonical CDRs in {files} file(s) under {Path.Combine(folder, "drop", "incoming", "canonical")} …");
            var bench = IngestBenchmark.WriteFiles(folder, rows, files);
            try
            {
                fileBytes = bench.Bytes;
                rounds.Add(IngestBenchmark.Run(rt.Db, rt.Config.Mediation, bench, workers, Say));
            }
            finally
            {
                IngestBenchmark.Remove(bench);
            }
        }

        static decimal R(double v, int d = 0) => Math.Round((decimal)v, d, MidpointRounding.AwayFromZero);
        var result = new
        {
            rows,
            files,
            workers,
            fileMegabytes = Math.Round(fileBytes / 1048576m, 1),
            rounds = rounds.Select((f, i) => new
            {
                round = i + 1,
                ingestSeconds = R(f.IngestSeconds, 3),
                ingestRowsPerSecond = R(f.IngestRowsPerSecond),
                textCopySeconds = R(f.TextCopySeconds, 3),
                textCopyRowsPerSecond = R(f.TextCopyRowsPerSecond),
                ratioToTextCopy = R(f.TextCopyRatio, 3),
                plainCopySeconds = R(f.PlainCopySeconds, 3),
                plainCopyRowsPerSecond = R(f.PlainCopyRowsPerSecond),
                ratio = R(f.Ratio, 3),
                peakDuringIngestMegabytes = Math.Round(f.PeakDuringIngest / 1048576m, 1),
            }).ToList(),
            medianRatioToTextCopy = BenchStats.Median(rounds.Select(f => R(f.TextCopyRatio, 3)), 3),
            bestRatioToTextCopy = rounds.Max(f => R(f.TextCopyRatio, 3)),
            medianRatioToPlainCopy = BenchStats.Median(rounds.Select(f => R(f.Ratio, 3)), 3),
            target = IngestTarget,
            peakWorkingSetMegabytes = Math.Round(rounds.Max(f => f.PeakWorkingSet) / 1048576m, 1),
            machine = BenchMachine.Description,
        };
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(result, BillingConfig.Json));
            return 0;
        }

        output.WriteLine();
        output.WriteLine($"bench ingest: {rows:N0} CDRs in {files} file(s) ({result.fileMegabytes} MiB), {workers} worker(s), {result.machine}");
        foreach (var (f, i) in rounds.Select((f, i) => (f, i + 1)))
        {
            output.WriteLine($"  round {i}: end to end (checksum, parse, normalise, COPY, dedupe, manifest, archive) {f.IngestSeconds:F2} s = {f.IngestRowsPerSecond:N0} CDRs/s");
            output.WriteLine($"           text COPY of the same files (psql \\copy … csv header), 8-column table {f.TextCopySeconds:F2} s = {f.TextCopyRowsPerSecond:N0} rows/s; ratio {f.TextCopyRatio:F3}");
            output.WriteLine($"           plain binary COPY of the same rows, table shaped like usage {f.PlainCopySeconds:F2} s = {f.PlainCopyRowsPerSecond:N0} rows/s; ratio {f.Ratio:F3}");
        }

        output.WriteLine($"  ingest / text COPY: median {result.medianRatioToTextCopy:F3}, best {result.bestRatioToTextCopy:F3} (target ≥ {IngestTarget})");
        output.WriteLine($"  ingest / plain binary COPY: median {result.medianRatioToPlainCopy:F3}");
        output.WriteLine($"  peak working set during ingest: {rounds.Max(f => f.PeakDuringIngest) / 1048576m:F1} MiB");
        return 0;
    }
}
