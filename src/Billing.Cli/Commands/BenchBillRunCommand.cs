using System.CommandLine;
using System.Text.Json;
using Billing.Benchmarks;

namespace Billing.Cli.Commands;

/// <summary>billing bench bill-run: the bill run on generated accounts and charges against the database floor (<see cref="BillRunBenchmark"/>). Prints measured figures only.</summary>
public static class BenchBillRunCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var accounts = new Option<int>("--accounts") { Description = "Postpaid accounts (cycle day 1; a quarter with a second number), 1 to 10,000,000", DefaultValueFactory = _ => 20_000 }.Within(1, 10_000_000);
        var records = new Option<int>("--records") { Description = "Rated usage records per account in the cycle, 1 to 100,000", DefaultValueFactory = _ => 100 }.Within(1, 100_000);
        var workers = BenchCommand.Workers("Batches drafted and approved at once (as Hangfire workers would)");
        var repeat = BenchCommand.Repeat("Rounds of the bill run on the same data (best and median are printed)", 3);
        var batchSize = new Option<int>("--batch-size") { Description = "Accounts per batch (invoicing.batchSize), 1 to 100,000", DefaultValueFactory = _ => 1000 }.Within(1, 100_000);
        var reuse = new Option<bool>("--reuse-data") { Description = "Keep the data an earlier run of the same size left in the database (the embedded one is not made afresh) instead of generating it again" };
        var command = new Command("bill-run", "Generate postpaid accounts with rated charges, time the bill run (plan + draft, approve) and the database floor") { accounts, records, workers, repeat, batchSize, reuse };
        command.SetAction(p => cli.Run(p, g => Run(g, new BillRunBenchSettings(p.GetValue(accounts), p.GetValue(records), p.GetValue(workers), p.GetValue(repeat), p.GetValue(batchSize), p.GetValue(reuse)), Console.Out)));
        return command;
    }

    public static int Run(GlobalOptions g, BillRunBenchSettings s, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(output);
        void Say(string line)
        {
            if (!g.Json)
            {
                output.WriteLine(line);
            }
        }

        using var rt = Runtime.Start(g, database: "billing_bench", freshDatabase: !s.ReuseData && g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        Say($"Database: {rt.Where}");
        var r = BillRunBenchmark.Run(rt.Db, s, Say);
        var machine = BenchMachine.Description;
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                s.Accounts,
                s.Records,
                s.Workers,
                s.BatchSize,
                machine,
                generation = r.Generation,
                planAndDraft = new { best = r.BestPlanAndDraft, medianAccountsPerSecond = r.MedianPlanAndDraft, medianRatioToFloor = r.MedianPlanAndDraftRatio },
                approve = new { best = r.BestApprove, medianAccountsPerSecond = r.MedianApprove, medianRatioToFloor = r.MedianApproveRatio },
                medianFloorAccountsPerSecond = r.MedianFloor,
                bestTotalSeconds = r.BestTotalSeconds,
                peakWorkingSetMegabytes = r.PeakWorkingSetMegabytes,
                peakGcHeapMegabytes = r.PeakGcHeapMegabytes,
                targetRatio = BillRunBenchmark.TargetRatio,
                rounds = r.Rounds,
            }, BillingConfig.Json));
            return 0;
        }

        var round1 = r.Rounds[0];
        output.WriteLine();
        output.WriteLine($"bench bill-run: {s.Accounts:N0} postpaid accounts ({r.Generation.Subscriptions:N0} subscriptions) × {s.Records:N0} records = {r.Generation.Charges:N0} charges; " +
            $"{round1.Invoices:N0} invoices of {round1.Lines:N0} lines ({round1.UsageLines:N0} usage); batches of {s.BatchSize:N0}, {s.Workers} worker(s); {machine}");
        output.WriteLine(r.Generation.Seconds == 0m
            ? "  the data of an earlier run of the same size, reused"
            : $"  generated and stored (usage, charges, manifests, VACUUM ANALYZE) in {r.Generation.Seconds:F1} s ({r.Generation.ChargesPerSecond:N0} charges/s)");
        for (var i = 0; i < r.Rounds.Count; i++)
        {
            var x = r.Rounds[i];
            output.WriteLine($"  round {i + 1}: plan + draft {x.PlanAndDraft.Seconds:F2} s = {x.PlanAndDraft.AccountsPerSecond:N0} accounts/s ({x.PlanAndDraft.RatioToFloor:F2} × floor); " +
                $"approve {x.Approve.Seconds:F2} s = {x.Approve.AccountsPerSecond:N0} accounts/s ({x.Approve.RatioToFloor:F2} × floor); " +
                $"floor {x.Floor.AccountsPerSecond:N0} accounts/s (read {x.Floor.Charges:N0} charges {x.Floor.ReadSeconds:F2} s, write {x.Floor.Lines:N0} lines {x.Floor.WriteSeconds:F2} s); " +
                $"peak working set / GC heap {x.PlanAndDraft.PeakWorkingSetMegabytes} / {x.PlanAndDraft.PeakGcHeapMegabytes} MiB drafting, {x.Approve.PeakWorkingSetMegabytes} / {x.Approve.PeakGcHeapMegabytes} MiB approving; " +
                $"CPU (billing / PostgreSQL) {Cpu(x.PlanAndDraft.Cpu)} drafting, {Cpu(x.Approve.Cpu)} approving; " +
                $"allocated {x.PlanAndDraft.AllocatedBytesPerAccount:N0} / {x.Approve.AllocatedBytesPerAccount:N0} bytes an account, {x.PlanAndDraft.Gen0Collections} / {x.Approve.Gen0Collections} gen0 and {x.PlanAndDraft.Gen2Collections} / {x.Approve.Gen2Collections} gen2 collections");
        }

        output.WriteLine($"  plan + draft: best {r.BestPlanAndDraft.AccountsPerSecond:N0}, median {r.MedianPlanAndDraft:N0} accounts/s; median {r.MedianPlanAndDraftRatio:F2} × the floor (target ≥ {BillRunBenchmark.TargetRatio:F1})");
        output.WriteLine($"  approve:      best {r.BestApprove.AccountsPerSecond:N0}, median {r.MedianApprove:N0} accounts/s; median {r.MedianApproveRatio:F2} × the floor (target ≥ {BillRunBenchmark.TargetRatio:F1})");
        output.WriteLine($"  database floor (read the cycle's charges, write as many invoice lines, by binary COPY): median {r.MedianFloor:N0} accounts/s");
        output.WriteLine($"  whole bill run (plan, draft, approve), fastest round: {r.BestTotalSeconds:F1} s");
        output.WriteLine($"  peak memory while the bill run ran: working set {r.PeakWorkingSetMegabytes} MiB, GC heap {r.PeakGcHeapMegabytes} MiB");
        return 0;
    }

    /// <summary>"3.10 / 2.45 s", or the client's alone when PostgreSQL is not on this machine.</summary>
    private static string Cpu(Billing.Benchmarks.CpuSeconds c) => c.Server is { } server
        ? $"{c.Client:F2} / {server:F2} s"
        : $"{c.Client:F2} s / (server not on this machine)";
}
