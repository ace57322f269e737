using System.Text.Json;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>`billing bench rate` on a small data set: what it prints and that its prepaid run is checked, never how fast it is.</summary>
public sealed class BenchRateCommandTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TempDir _work = new();

    public void Dispose() => _work.Dispose();

    /// <summary>Runs billing with <paramref name="args"/> (a `--json` command), which must exit 0, and parses what it printed.</summary>
    private JsonDocument RunJson(out string stdout, params string[] args)
    {
        (var exit, stdout, var stderr) = BillingProcess.Run(_work.Path, args);
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        return JsonDocument.Parse(stdout);
    }

    [Fact]
    public void BenchRate_PrintsTheAllPostpaidAndTheHalfPrepaidFigure_WithTheRatioAndTheWalletChecks()
    {
        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "bench", "rate", "--rows", "3000", "--subscribers", "100", "--workers", "2", "--top-up", "5.00", "--db", fx.ConnectionString);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Matches(@"all postpaid:\s+[\d,]+ records/s", stdout);
        Assert.Matches(@"half prepaid \(50 %\):\s+[\d,]+ records/s  = [\d.]+ % of all-postpaid  \(target ≥ 70 %\)", stdout);
        Assert.Matches(@"50 wallets topped up with 5\.00 GBP at 2026-01-01T00:00:00Z; [\d,]+ wallet debits, [1-9][\d,]* overdraft records, [1-9][\d,]* notifications queued; [1-9][\d,]* wallets barred", stdout);
        Assert.Contains("every wallet balance equals its ledger sum", stdout, StringComparison.Ordinal);
        Assert.Matches(@"the pure engine alone, one core:\s+[\d,]+ events/s", stdout);
        Assert.Matches(@"database floor, no rating, 2 connection\(s\): reading the usage [\d.]+ s, writing the same 3,000 charges by plain binary COPY [\d.]+ s", stdout);
        Assert.Matches(@"the write alone caps any rating on this machine at [\d,]+ records/s; read then write: [\d,]+ records/s", stdout);

        // Every other subscriber was prepaid in the second run: B-1, B-3, …, B-99.
        using var conn = fx.Db.Open();
        var prepaid = conn.Query<string>("SELECT id FROM accounts WHERE payment_type = 'prepaid' ORDER BY substr(id, 3)::int").AsList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"B-{(2 * i) + 1}"), prepaid);
    }

    [Fact]
    public void BenchRate_Json_HoldsBothFiguresTheRatioAndWhatThePrepaidRunDid()
    {
        using var doc = RunJson(out var stdout, "bench", "rate", "--json", "--rows", "2000", "--subscribers", "80", "--workers", "1", "--prepaid-share", "0.25", "--top-up", "4.00", "--db", fx.ConnectionString);
        var root = doc.RootElement;
        var postpaid = root.GetProperty("allPostpaid");
        var prepaid = root.GetProperty("prepaid");
        var postpaidRate = postpaid.GetProperty("recordsPerSecond").GetDecimal();
        var prepaidRate = prepaid.GetProperty("recordsPerSecond").GetDecimal();
        Assert.True(postpaidRate > 0m && prepaidRate > 0m, stdout);
        Assert.Equal(Math.Round(100m * prepaidRate / postpaidRate, 1, MidpointRounding.AwayFromZero), root.GetProperty("prepaidPercentOfAllPostpaid").GetDecimal());
        Assert.Equal(70, root.GetProperty("targetPercent").GetInt32());

        Assert.Equal((2000L, 0L), (postpaid.GetProperty("ratedRecords").GetInt64(), postpaid.GetProperty("wallets").GetInt64()));
        Assert.Equal((2000L, 20L), (prepaid.GetProperty("ratedRecords").GetInt64(), prepaid.GetProperty("wallets").GetInt64()));
        Assert.True(prepaid.GetProperty("walletDebits").GetInt64() > 0 && prepaid.GetProperty("overdraftRecords").GetInt64() > 0 && prepaid.GetProperty("walletsBarred").GetInt64() > 0, stdout);
        Assert.Equal(
            prepaid.GetProperty("prepaidCharges").GetDecimal(),
            prepaid.GetProperty("debited").GetDecimal() + prepaid.GetProperty("overdrawn").GetDecimal());
        Assert.True(postpaid.GetProperty("engineEventsPerSecondOneCore").GetDecimal() > 0m && prepaid.GetProperty("peakWorkingSetMegabytes").GetDecimal() > 0m, stdout);
        using var conn = fx.Db.Open();

        // The floor copied every charge (the command checks the count); read then write is rows over both times.
        var floor = root.GetProperty("databaseFloor");
        Assert.Equal(2000L, floor.GetProperty("rows").GetInt64());
        var seconds = floor.GetProperty("readSeconds").GetDecimal() + floor.GetProperty("writeSeconds").GetDecimal();
        Assert.True(seconds > 0m, stdout);
        Assert.InRange(floor.GetProperty("recordsPerSecond").GetDecimal(), 2000m / (seconds + 0.001m), 2000m / Math.Max(0.0001m, seconds - 0.001m));
        Assert.False(conn.ExecuteScalar<bool>("SELECT to_regclass('bench_charges_floor') IS NOT NULL"));

        // A quarter: every fourth subscriber, B-3, B-7, …, B-79 — the same ones on every run.
        var prepaidAccounts = conn.Query<string>("SELECT id FROM accounts WHERE payment_type = 'prepaid' ORDER BY substr(id, 3)::int").AsList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"B-{(4 * i) + 3}"), prepaidAccounts);
    }

    [Fact]
    public void BenchRate_Json_TimesTheFloorInEveryRound_AndEachRoundsRatioIsToItsOwnFloor()
    {
        using var doc = RunJson(out _, "bench", "rate", "--json", "--rows", "1000", "--subscribers", "40", "--workers", "1", "--repeat", "3", "--db", fx.ConnectionString);
        var root = doc.RootElement;
        var rounds = root.GetProperty("rounds").EnumerateArray().Select(r => (
            Rate: r.GetProperty("allPostpaid").GetProperty("recordsPerSecond").GetDecimal(),
            Floor: r.GetProperty("databaseFloor").GetProperty("recordsPerSecond").GetDecimal(),
            Rows: r.GetProperty("databaseFloor").GetProperty("rows").GetInt64(),
            Ratio: r.GetProperty("ratioToFloor").GetDecimal())).ToList();
        Assert.Equal(3, rounds.Count);
        Assert.All(rounds, r => Assert.Equal((1000L, Math.Round(r.Rate / r.Floor, 3, MidpointRounding.AwayFromZero)), (r.Rows, r.Ratio)));
        var ratios = rounds.Select(r => r.Ratio).Order().ToList();
        var summary = root.GetProperty("ratioToFloor");
        Assert.Equal((ratios[1], ratios[2]), (summary.GetProperty("median").GetDecimal(), summary.GetProperty("best").GetDecimal()));
        // The summary's floor is the median round's.
        Assert.Equal(rounds.Select(r => r.Floor).Order().ElementAt(1), root.GetProperty("databaseFloor").GetProperty("recordsPerSecond").GetDecimal());
    }

    [Fact]
    public void BenchEngine_Json_GivesEveryRoundTheBestTheMedianAndOneTotal_WithNoDatabase()
    {
        using var doc = RunJson(out var stdout, "bench", "engine", "--json", "--rows", "20000", "--prefixes", "500", "--repeat", "3", "--db", "Host=127.0.0.1;Port=1;Database=none");
        var root = doc.RootElement;
        var rounds = root.GetProperty("rounds").EnumerateArray().Select(r => r.GetDecimal()).Order().ToArray();
        Assert.Equal(3, rounds.Length);
        Assert.Equal(rounds[^1], root.GetProperty("bestEventsPerSecond").GetDecimal());
        Assert.Equal(rounds[1], root.GetProperty("medianEventsPerSecond").GetDecimal());
        Assert.Equal(EngineTotal(), root.GetProperty("totalAmount").GetDecimal());
        Assert.True(root.GetProperty("allocatedBytesPerEvent").GetInt64() > 0, stdout);
        Assert.Equal(2_000_000, root.GetProperty("targetEventsPerSecond").GetInt64());
    }

    [Fact]
    public void BenchEngine_PrintsEachRoundAndTheTarget()
    {
        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "bench", "engine", "--rows", "5000", "--prefixes", "100", "--repeat", "2");

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Matches(@"round 1:\s+[\d,]+ events/s  \(5,000 priced, total [\d.]+ GBP, [\d,]+ bytes allocated per event, [\d.]+ % of the time in GC pauses\)", stdout);
        Assert.Matches(@"best [\d,]+ events/s, median [\d,]+ events/s of 2 round\(s\)  \(target ≥ 2,000,000\)", stdout);
    }

    [Fact]
    public void BenchIngest_Json_IngestsEveryGeneratedCdr_InEachRound_TimesTheTextCopyReferenceAndThePlainCopy_AndRemovesItsFilesAndTables()
    {
        using var doc = RunJson(out var stdout, "bench", "ingest", "--json", "--rows", "3000", "--files", "3", "--workers", "2", "--repeat", "2", "--db", fx.ConnectionString);
        var root = doc.RootElement;
        Assert.Equal((3000, 3, 2), (root.GetProperty("rows").GetInt32(), root.GetProperty("files").GetInt32(), root.GetProperty("workers").GetInt32()));
        var rounds = root.GetProperty("rounds").EnumerateArray().ToList();
        Assert.Equal([1, 2], rounds.Select(r => r.GetProperty("round").GetInt32()));
        foreach (var r in rounds)
        {
            var ingest = r.GetProperty("ingestRowsPerSecond").GetDecimal();
            var text = r.GetProperty("textCopyRowsPerSecond").GetDecimal();
            var copy = r.GetProperty("plainCopyRowsPerSecond").GetDecimal();
            Assert.True(ingest > 0m && text > 0m && copy > 0m, stdout);
            // The ratio printed is the two rates printed (each rounded to a whole row a second), not a figure of its own.
            Assert.InRange(Math.Abs(ingest / text - r.GetProperty("ratioToTextCopy").GetDecimal()), 0m, 0.005m);
        }

        Assert.Equal(0.8m, root.GetProperty("target").GetDecimal());
        Assert.True(root.GetProperty("fileMegabytes").GetDecimal() > 0m, stdout);
        using var conn = fx.Db.Open();
        Assert.Equal(3000L, conn.ExecuteScalar<long>("SELECT count(*) FROM usage"));
        Assert.Equal(["archived", "archived", "archived"], conn.Query<string>("SELECT status FROM cdr_files ORDER BY file_name"));
        Assert.False(conn.ExecuteScalar<bool>("SELECT to_regclass('bench_plain_copy') IS NOT NULL OR to_regclass('bench_text_copy') IS NOT NULL"));
        Assert.False(Directory.Exists(Path.Combine(_work.Path, ".billing", "bench")));
    }

    /// <summary>The same events priced by the engine in this process: the command's total is the engine's, not a made-up figure.</summary>
    private static decimal EngineTotal() =>
        Billing.Benchmarks.EngineBenchmark.Run(20_000, prefixCount: 500, subscribers: 1_000).TotalAmount;
}
