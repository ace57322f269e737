using System.CommandLine;
using System.Text.Json;
using Billing.Benchmarks;

namespace Billing.Cli.Commands;

/// <summary>billing bench latency: a dropped file to its prepaid wallet's debit and notice under the real serve (<see cref="LatencyBenchmark"/>).</summary>
public static class BenchLatencyCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var drops = new Option<int>("--drops") { Description = "Files dropped one at a time, each one prepaid SMS of its own subscriber; 1 to 10,000", DefaultValueFactory = _ => 50 }.Within(1, 10_000);
        var command = new Command("latency", "Start billing serve, drop small files one at a time, time each from its last write to the wallet debited with its notice queued") { drops };
        command.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(drops), Console.Out)));
        return command;
    }

    public static int Run(GlobalOptions g, int drops, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g, database: "billing_bench", freshDatabase: g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        var folder = Path.GetFullPath(Path.Combine(rt.Config.StateDirectory, "bench-latency"));
        var r = LatencyBenchmark.Run(rt.Db, folder, drops, Self(), line =>
        {
            if (!g.Json)
            {
                output.WriteLine(line);
            }
        });
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                r.Drops, r.SettleMilliseconds, p50Seconds = Round(r.P50), p95Seconds = Round(r.P95), maxSeconds = Round(r.Max), meanSeconds = Round(r.Mean),
                loadAverageBefore = r.LoadBefore, loadAverageAfter = r.LoadAfter, machine = BenchMachine.Description,
                each = r.Each.Select(d => new { d.Drop, d.File, seconds = Round(d.Seconds) }),
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine();
        output.WriteLine($"bench latency: {r.Drops} drops, one at a time, under billing serve (drop-folder watcher, settle {r.SettleMilliseconds} ms, 2 workers); {BenchMachine.Description}");
        output.WriteLine($"  file's last write → wallet debited and notice queued: p50 {r.P50:F3} s, p95 {r.P95:F3} s, max {r.Max:F3} s (mean {r.Mean:F3} s)");
        output.WriteLine($"  load average before {r.LoadBefore}, after {r.LoadAfter}");
        return 0;
    }

    private static decimal Round(double seconds) => Math.Round((decimal)seconds, 3, MidpointRounding.AwayFromZero);

    /// <summary>This program as it was started: dotnet and billing.dll, or the billing executable.</summary>
    private static string[] Self()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? [host, typeof(BenchLatencyCommand).Assembly.Location]
            : [host];
    }
}
