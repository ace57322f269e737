using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Benchmarks;

namespace Billing.Cli.Commands;

/// <summary>
/// billing bench rate: stored usage rated by the real job against PostgreSQL, all postpaid and then
/// with a share prepaid, the pure engine alone, and the database floor (<see cref="RatingBenchmark"/>).
/// Prints measured figures only.
/// </summary>
public static class BenchRateCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var rows = BenchCommand.Rows("How many CDRs", 2_000_000);
        var subscribers = BenchCommand.Subscribers("How many subscribers", 10_000);
        var workers = BenchCommand.Workers("Rating processes at once (each claims its own id ranges)");
        var prefixes = BenchCommand.Prefixes("Destination prefixes in the synthetic catalogue");
        var prepaidShare = new Option<decimal>("--prepaid-share") { Description = "Share of subscribers prepaid in the second run, 0 to 1 (0.5: every other one)", DefaultValueFactory = _ => 0.5m }.Within(0m, 1m);
        var topUp = new Option<decimal?>("--top-up") { Description = "Each prepaid wallet's top-up in GBP before rating, 0.01 to 1,000,000 (default: 3.25 per usage record per subscriber, 65.00 for 20)" }.Within(0.01m, 1_000_000m);
        var repeat = BenchCommand.Repeat("Rounds of the two runs, alternating; the best of each is compared (for a noisy machine)", 1);
        var rate = new Command("rate", "Rate N stored usage records with a realistic catalogue, all postpaid and then with a share prepaid; also the pure engine alone") { rows, subscribers, workers, prefixes, prepaidShare, topUp, repeat };
        rate.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(rows), p.GetValue(subscribers), p.GetValue(workers), p.GetValue(prefixes), p.GetValue(prepaidShare), p.GetValue(topUp), p.GetValue(repeat), Console.Out)));
        return rate;
    }

    public static int Run(GlobalOptions g, int rows, int subscribers, int workers, int prefixes, decimal prepaidShare, decimal? topUp, int repeat, TextWriter output)
    {
        var credit = topUp ?? RatingBenchmark.DefaultTopUp(rows, subscribers);

        void Say(string line)
        {
            if (!g.Json)
            {
                output.WriteLine(line);
            }
        }

        using var rt = Runtime.Start(g, database: "billing_bench", freshDatabase: g.Db is null && Environment.GetEnvironmentVariable("BILLING_DB") is null);
        Say($"Database: {rt.Where}");
        Say($"Storing {subscribers:N0} subscribers and {rows:N0} usage records …");
        var result = RatingBenchmark.Run(rt.Db, new RatingBenchSettings(rows, subscribers, workers, prefixes, prepaidShare, credit, repeat), Say);
        var rounds = result.Rounds;
        var floor = result.Floor;
        var postpaid = result.BestPostpaid;
        var prepaid = result.BestPrepaid;
        var percent = result.PrepaidPercent;
        var machine = BenchMachine.Description;
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                rows,
                subscribers,
                workers,
                prefixes,
                prepaidShare,
                topUp = credit,
                machine,
                allPostpaid = postpaid,
                prepaid,
                prepaidPercentOfAllPostpaid = percent,
                databaseFloor = floor,
                ratioToFloor = new { median = result.MedianPostpaidRatio, best = result.BestPostpaidRatio, target = RatingBenchmark.TargetRatio },
                targetPercent = RatingBenchmark.TargetPercent,
                meetsTarget = percent >= RatingBenchmark.TargetPercent,
                rounds = rounds.Select(r => new { allPostpaid = r.Postpaid, prepaid = r.Prepaid, prepaidPercentOfAllPostpaid = r.PrepaidPercent, databaseFloor = r.Floor, ratioToFloor = r.PostpaidRatio }),
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine();
        output.WriteLine($"bench rate: {rows:N0} usage records, {subscribers:N0} subscribers, {prefixes:N0} prefixes, 3 bands, allowances; {workers} worker(s); {machine}");
        output.WriteLine($"  bulk rating with PostgreSQL (read, rate, wallets, COPY charges, balances), the same usage twice:");
        var label = RatingBenchmark.ShareLabel(prepaidShare) + ":";
        var width = Math.Max("all postpaid:".Length, label.Length) + 1;
        if (repeat > 1)
        {
            for (var i = 0; i < rounds.Count; i++)
            {
                var (p, q, f) = rounds[i];
                output.WriteLine($"  round {i + 1}: all postpaid {p.RecordsPerSecond:N0} records/s = {rounds[i].PostpaidRatio:F3} × its floor ({f.RecordsPerSecond:N0}), {RatingBenchmark.ShareLabel(prepaidShare)} {q.RecordsPerSecond:N0} records/s = {rounds[i].PrepaidPercent:F1} %; engine alone {p.EngineEventsPerSecondOneCore:N0} / {q.EngineEventsPerSecondOneCore:N0} events/s");
            }

            output.WriteLine($"  the best of {repeat} rounds each:");
        }

        output.WriteLine($"  {"all postpaid:".PadRight(width)}{postpaid.RecordsPerSecond,10:N0} records/s  ({postpaid.Seconds:F2} s, {postpaid.RatedRecords:N0} rated, {postpaid.HeldRecords:N0} held)");
        output.WriteLine($"  {label.PadRight(width)}{prepaid.RecordsPerSecond,10:N0} records/s  = {percent:F1} % of all-postpaid  (target ≥ {RatingBenchmark.TargetPercent} %)  ({prepaid.Seconds:F2} s, {prepaid.RatedRecords:N0} rated, {prepaid.HeldRecords:N0} held)");
        output.WriteLine($"  prepaid run: {prepaid.Wallets:N0} wallets topped up with {credit.ToString("F2", CultureInfo.InvariantCulture)} GBP at {RatingBenchmark.TopUpAt}; {prepaid.WalletDebits:N0} wallet debits, {prepaid.OverdraftRecords:N0} overdraft records, {prepaid.Notifications:N0} notifications queued; {prepaid.WalletsBarred:N0} wallets barred (reached zero)");
        output.WriteLine($"  checked: every wallet balance equals its ledger sum ({prepaid.LedgerRows:N0} ledger rows); prepaid charges {prepaid.PrepaidCharges.ToString("F2", CultureInfo.InvariantCulture)} = debits {prepaid.Debited.ToString("F2", CultureInfo.InvariantCulture)} + overdraft {prepaid.Overdrawn.ToString("F2", CultureInfo.InvariantCulture)} GBP");
        output.WriteLine($"  the pure engine alone, one core:  {postpaid.EngineEventsPerSecondOneCore,12:N0} events/s before the all-postpaid run, {prepaid.EngineEventsPerSecondOneCore:N0} before the prepaid one");
        output.WriteLine($"  peak working set while rating:    {postpaid.PeakWorkingSetMegabytes} MiB all postpaid, {prepaid.PeakWorkingSetMegabytes} MiB prepaid");
        output.WriteLine($"  CPU while rating (this process / PostgreSQL): {CpuText(postpaid)} all postpaid, {CpuText(prepaid)} prepaid");
        output.WriteLine($"  allocated while rating:           {postpaid.AllocatedBytes / 1048576m:N0} MiB all postpaid ({postpaid.Gen0Collections} gen-0, {postpaid.Gen2Collections} gen-2 collections), {prepaid.AllocatedBytes / 1048576m:N0} MiB prepaid");
        output.WriteLine($"  database floor, no rating, {workers} connection(s){(rounds.Count > 1 ? ", the median round's" : "")}: reading the usage {floor.ReadSeconds:F2} s, writing the same {floor.Rows:N0} charges by plain binary COPY {floor.WriteSeconds:F2} s");
        output.WriteLine($"    the write alone caps any rating on this machine at {floor.WriteRowsPerSecond:N0} records/s; read then write: {floor.RecordsPerSecond:N0} records/s (read {floor.ReadRowsPerSecond:N0} rows/s)");
        output.WriteLine($"  all postpaid / its round's floor (read then write): median {result.MedianPostpaidRatio:F3}, best {result.BestPostpaidRatio:F3} of {rounds.Count} round(s) (target ≥ {RatingBenchmark.TargetRatio:F1})");
        return 0;
    }

    private static string CpuText(RatingRunFigures r) =>
        r.Cpu is not { } c ? "n/a" : $"{c.Client.ToString("F2", CultureInfo.InvariantCulture)} s / {(c.Server is { } s ? s.ToString("F2", CultureInfo.InvariantCulture) + " s" : "n/a")}";
}
