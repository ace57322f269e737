using System.Text.Json;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>`billing bench bill-run` on a small data set: what it prints and what it leaves behind, never how fast it is.</summary>
public sealed class BenchBillRunCommandTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TempDir _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void BenchBillRun_BillsEveryGeneratedAccountOnce_AndPrintsEachPhaseAgainstTheFloor()
    {
        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "bench", "bill-run", "--accounts", "40", "--records", "10", "--workers", "2", "--repeat", "2", "--batch-size", "15", "--db", fx.ConnectionString);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        // 40 accounts, every fourth with a second number: 50 subscriptions, 400 charges, 40 invoices.
        Assert.Matches(@"bench bill-run: 40 postpaid accounts \(50 subscriptions\) × 10 records = 400 charges; 40 invoices of [\d,]+ lines \([\d,]+ usage\); batches of 15, 2 worker\(s\)", stdout);
        Assert.Matches(@"round 2: plan \+ draft [\d.]+ s = [\d,]+ accounts/s \([\d.]+ × floor\); approve [\d.]+ s = [\d,]+ accounts/s \([\d.]+ × floor\); floor [\d,]+ accounts/s \(read 400 charges", stdout);
        Assert.Matches(@"plan \+ draft: best [\d,]+, median [\d,]+ accounts/s; median [\d.]+ × the floor \(target ≥ 0\.5\)", stdout);
        Assert.Matches(@"peak memory while the bill run ran: working set [\d.]+ MiB, GC heap [\d.]+ MiB", stdout);

        // What the last round left: one issued invoice per account, every charge on a usage line, nothing of the floor.
        using var conn = fx.Db.Open();
        Assert.Equal((40L, 40L, 400L), conn.QuerySingle<(long, long, long)>("""
            SELECT count(*), count(DISTINCT account_id), (SELECT sum(charge_count)::bigint FROM invoice_lines WHERE kind = 'usage') FROM invoices WHERE status = 'issued'
            """));
        Assert.Equal((1L, 400L), conn.QuerySingle<(long, long)>("SELECT count(*), sum(accepted)::bigint FROM cdr_files WHERE status = 'archived'"));
        Assert.False(conn.ExecuteScalar<bool>("SELECT to_regclass('bench_invoice_lines_floor') IS NOT NULL"));
    }

    [Fact]
    public void BenchBillRun_Json_HoldsEveryRoundAndTheMedianRatios_AndTheDataReconciles()
    {
        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "bench", "bill-run", "--json", "--accounts", "12", "--records", "5", "--workers", "1", "--repeat", "1", "--db", fx.ConnectionString);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var root = JsonDocument.Parse(stdout).RootElement;
        var round = Assert.Single(root.GetProperty("rounds").EnumerateArray());
        var draft = round.GetProperty("planAndDraft");
        Assert.Equal(Math.Round(12m / draft.GetProperty("seconds").GetDecimal(), MidpointRounding.AwayFromZero), draft.GetProperty("accountsPerSecond").GetDecimal());
        Assert.Equal(draft.GetProperty("ratioToFloor").GetDecimal(), root.GetProperty("planAndDraft").GetProperty("medianRatioToFloor").GetDecimal());
        Assert.Equal((12L, 60L), (round.GetProperty("invoices").GetInt64(), round.GetProperty("floor").GetProperty("charges").GetInt64()));
        Assert.Equal(0.5m, root.GetProperty("targetRatio").GetDecimal());

        // The generated chain is sound: files, usage, charges and invoices reconcile.
        var (reconciled, report, err) = BillingProcess.Run(_work.Path, "reconcile", "--cycle-end", "2026-12-01", "--json", "--db", fx.ConnectionString);
        Assert.True(reconciled == 0, report + err);
        var r = JsonDocument.Parse(report).RootElement;
        Assert.Equal((60L, 60L), (r.GetProperty("rating").GetProperty("rated").GetInt64(), r.GetProperty("invoicing").GetProperty("chargesBilled").GetInt64()));
    }
}
