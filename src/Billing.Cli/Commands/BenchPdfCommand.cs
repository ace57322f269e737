using System.CommandLine;
using System.Text.Json;
using Billing.Benchmarks;

namespace Billing.Cli.Commands;

/// <summary>billing bench pdf: invoices billed from generated data rendered end to end, against PDFsharp drawing the same pages (<see cref="PdfBenchmark"/>). Prints measured figures only.</summary>
public static class BenchPdfCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var invoices = new Option<int>("--invoices") { Description = "Postpaid accounts billed, one invoice each", DefaultValueFactory = _ => 1_000 };
        var records = new Option<int>("--records") { Description = "Rated usage records per account (the annex: 60 make a two-page invoice)", DefaultValueFactory = _ => 60 };
        var workers = new Option<int>("--workers") { Description = "Rendering threads (and bill-run batches at once)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var reuse = new Option<bool>("--reuse-data") { Description = "Keep the accounts and charges an earlier run of the same size left in the database" };
        var repeat = BenchCommand.Repeat("Rounds, each the render end to end then the floor (each round's ratio and their median are printed)", 3);
        var people = new Option<bool>("--people-names") { Description = "Name the accounts after people, in several languages with their letters (Zoë Müller, Łucja Wiśniewska, Nguyễn …) instead of \"Bench N\": documents then differ in the glyphs they embed, as a real run's do" };
        var command = new Command("pdf", "Bill generated accounts, render their invoice PDFs end to end into a document store, and time PDFsharp drawing the same pages alone") { invoices, records, workers, reuse, repeat, people };
        command.SetAction(p => cli.Run(p, g => Run(g, new PdfBenchSettings(p.GetValue(invoices), p.GetValue(records), p.GetValue(workers), p.GetValue(reuse), p.GetValue(repeat), p.GetValue(people)), Console.Out)));
        return command;
    }

    public static int Run(GlobalOptions g, PdfBenchSettings s, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(output);
        if (s.Invoices < 1 || s.Records < 1 || s.Workers < 1 || s.Repeat < 1)
        {
            throw new UserErrorException("--invoices, --records, --workers and --repeat must be at least 1.");
        }

        void Say(string line)
        {
            if (!g.Json)
            {
                output.WriteLine(line);
            }
        }

        using var rt = Runtime.Start(g, database: "billing_bench", freshDatabase: !s.ReuseData && g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        Say($"Database: {rt.Where}");

        // The bench's document store: beside the state directory's others, emptied first.
        var bench = rt.Jobs.RenderDocuments(Path.Combine(rt.Config.StateDirectory, "bench", "documents"));
        var r = PdfBenchmark.Run(rt.Db, bench, s, Say);
        var machine = BenchMachine.Description;
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                s.Invoices, s.Records, s.Workers, s.Repeat, s.PeopleNames, machine,
                rounds = r.Rounds.Select(x => new
                {
                    endToEnd = x.EndToEnd, floor = x.Floor, ratio = x.Ratio,
                    threadSeconds = new { load = x.LoadSeconds, draw = x.DrawSeconds, write = x.WriteSeconds },
                    fontPrograms = new { reused = x.FontProgramsReused, made = x.FontProgramsMade },
                }),
                medianRatio = r.MedianRatio, targetRatio = Target,
                megabytes = Math.Round(r.Bytes / 1048576m, 1), averagePages = r.AveragePages, floorAveragePages = r.FloorAveragePages, folder = r.Folder,
                billRunSeconds = r.BillRunSeconds,
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine();
        output.WriteLine($"bench pdf: {s.Invoices:N0} invoices billed from {s.Invoices:N0} accounts × {s.Records} records ({r.BillRunSeconds:F1} s to generate and bill), {r.AveragePages} pages each, {s.Workers} worker(s); {machine}");
        output.WriteLine(s.PeopleNames ? "  accounts named after people (--people-names): names in several languages, with their letters" : "  accounts named \"Bench N\" (--people-names names them after people)");
        foreach (var (x, i) in r.Rounds.Select((x, i) => (x, i + 1)))
        {
            output.WriteLine($" round {i} of {r.Rounds.Count}:");
            output.WriteLine($"  end to end (load, draw, write, record):  {x.EndToEnd.Seconds,8:F2} s  {x.EndToEnd.InvoicesPerSecond,8:N0} invoices/s  peak {x.EndToEnd.PeakWorkingSetMegabytes} MiB working set, {x.EndToEnd.PeakGcHeapMegabytes} MiB heap");
            output.WriteLine($"    thread-seconds: loading {x.LoadSeconds} s, drawing {x.DrawSeconds} s, writing files and records {x.WriteSeconds} s");
            output.WriteLine($"    font programs: {x.FontProgramsReused:N0} given from earlier documents with the same glyphs, {x.FontProgramsMade:N0} made by PDFsharp (the floor makes every one)");
            output.WriteLine($"  floor (PDFsharp, same pages and text):   {x.Floor.Seconds,8:F2} s  {x.Floor.InvoicesPerSecond,8:N0} invoices/s  peak {x.Floor.PeakWorkingSetMegabytes} MiB working set, {x.Floor.PeakGcHeapMegabytes} MiB heap");
            output.WriteLine($"  ratio end to end / floor: {x.Ratio:F3}");
            output.WriteLine($"  CPU: end to end {Cpu(x.EndToEnd)}; floor {Cpu(x.Floor)}");
        }

        output.WriteLine($"ratio end to end / floor: median {r.MedianRatio:F3} of {r.Rounds.Count} round(s) (target ≥ {Target}); {r.Bytes / 1048576m:F1} MiB of PDF in {r.Folder}, {r.FloorAveragePages} pages each drawn by the floor");
        return 0;
    }

    /// <summary>The target: end to end at least this share of the floor's invoices a second.</summary>
    public const decimal Target = 0.7m;

    /// <summary>"12.30 s here + 1.20 s in PostgreSQL, 310.5 KiB allocated an invoice, 120 gen0 / 2 gen2 collections".</summary>
    private static string Cpu(PdfPhase p)
    {
        var server = p.Cpu.Server is { } s ? $" + {s:F2} s in PostgreSQL" : "";
        return $"{p.Cpu.Client:F2} s here{server}, {p.AllocatedKilobytesPerInvoice:N1} KiB allocated an invoice, {p.Gen0} gen0 / {p.Gen2} gen2 collections (paused {p.GcPauseSeconds:F2} s)";
    }
}
