using System.CommandLine;
using System.Text.Json;
using Billing.Benchmarks;

namespace Billing.Cli.Commands;

/// <summary>billing bench dunning: the dunning run on generated accounts, a quarter overdue (<see cref="DunningBenchmark"/>). Prints measured figures only.</summary>
public static class BenchDunningCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var accounts = new Option<int>("--accounts") { Description = "Postpaid accounts with one invoice each, a quarter overdue; 4 to 10,000,000", DefaultValueFactory = _ => 100_000 }.Within(4, 10_000_000);
        var command = new Command("dunning", "Generate accounts with invoices (a quarter overdue at 7, 14, 21, 30 and 60 days), time the dry run, the run and the same day again") { accounts };
        command.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(accounts), Console.Out)));
        return command;
    }

    public static int Run(GlobalOptions g, int accounts, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g, database: "billing_bench", freshDatabase: g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        var letters = Directory.CreateTempSubdirectory("billing-bench-letters-").FullName;
        DunningBenchResult r;
        try
        {
            r = DunningBenchmark.Run(rt.Db, accounts, rt.Jobs.Letters(letters), line =>
            {
                if (!g.Json)
                {
                    output.WriteLine(line);
                }
            });
        }
        finally
        {
            Directory.Delete(letters, recursive: true);
        }

        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { r.Accounts, r.Overdue, r.GenerationSeconds, machine = BenchMachine.Description, phases = r.Phases }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine();
        output.WriteLine($"bench dunning: {r.Accounts:N0} accounts, {r.Overdue:N0} overdue (7, 14, 21, 30, 60 days in turn) on {DunningBenchmark.AsOf:uuuu-MM-dd}; generated in {r.GenerationSeconds:F1} s; {BenchMachine.Description}");
        foreach (var p in r.Phases)
        {
            output.WriteLine($"  {p.Name,-22} {p.Seconds,8:F2} s = {p.AccountsPerSecond,9:N0} accounts/s; {p.Candidates:N0} overdue evaluated, {p.Moved:N0} moved, {p.Steps:N0} steps, " +
                $"{p.Letters:N0} letters {(p.DryRun ? "due (not drawn)" : "drawn as PDF and stored")} ({p.LettersPerSecond:N0}/s)");
        }

        return 0;
    }
}
