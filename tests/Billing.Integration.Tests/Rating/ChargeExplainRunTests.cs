using System.Text.Json;
using Billing.Benchmarks;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Dapper;

namespace Billing.Integration.Tests.Rating;

/// <summary>
/// The benchmark's data, small: 4,000 usage records of 5 subscribers (so their 300 national minutes run out in most
/// cycles), the synthetic catalogue with 500 prefixes (three bands, connect fees, disconnect maximum costs, allowances),
/// two of the five accounts prepaid — rated once by the real job.
/// </summary>
public sealed class RatedBenchRun : IDisposable
{
    public const int Records = 4000;

    public RatedBenchRun()
    {
        using (var conn = Fx.Db.Open())
        {
            RatingBenchmark.Setup(conn, Records, subscribers: 5, prefixes: 500);
            RatingBenchmark.Prepare(conn, share: 0.5m, credit: 150m);
        }

        Run = new RateUsageJob(Fx.Db, new CatalogCache()).RateAll(rangeSize: 1000);
    }

    public DatabaseFixture Fx { get; } = new();

    public RatingRunResult Run { get; }

    public void Dispose() => Fx.Dispose();
}

/// <summary>Every charge of a bench run explained again by the engine equals the charge rating stored: amount, band, prefix, allowance.</summary>
public sealed class ChargeExplainRunTests(RatedBenchRun bench) : IClassFixture<RatedBenchRun>, IDisposable
{
    private readonly TempDir _work = new();

    public void Dispose() => _work.Dispose();

    private IReadOnlyList<ExplainedCharge> ExplainAll()
    {
        using var conn = bench.Fx.Db.Open();
        var ids = conn.Query<long>("SELECT usage_id FROM rated_charges ORDER BY usage_id").AsList();
        return new ChargeExplainService(bench.Fx.Db, new CatalogCache()).Explain(ids);
    }

    private static string Six(decimal amount) => amount.ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);

    private static List<(long UsageId, string Fields)> Differing(IReadOnlyList<ExplainedCharge> explained) =>
        explained.Where(e => e.Explanation is not { Matches: true }).Select(e => (e.Charge.Usage.Id,
            e.Explanation is null ? "no catalogue" : string.Join(",", e.Explanation.Differences.Select(d => $"{d.Field}:{d.Stored}->{d.Recomputed}")))).ToList();

    [Fact]
    public void Every_one_of_4000_charges_rated_half_prepaid_is_computed_again_to_the_stored_amount_band_prefix_and_allowance_use()
    {
        Assert.Equal((4000L, 0L), (bench.Run.Rated, bench.Run.Held));

        var explained = ExplainAll();

        Assert.Equal(RatedBenchRun.Records, explained.Count);
        Assert.Empty(Differing(explained));
        // The run went through what the engine does: all three bands, calls crossing a band, every destination kind,
        // allowances covering calls and running out mid-call, disconnect maximum costs, zero-second calls, both payment types.
        var charges = explained.Select(e => e.Explanation!.Recomputed.Charge!).ToList();
        Assert.Equal(["*any", "PEAK", "WEEKEND"], charges.Select(c => c.TimeBand!).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(charges, c => c.Parts.Select(p => p.TimingId).Distinct().Count() > 1);
        Assert.Contains(charges, c => c.AllowanceUsed > 0 && c.AllowanceUsed == c.BilledQuantity && c.Amount == 0m);
        Assert.Contains(charges, c => c.AllowanceUsed > 0 && c.AllowanceUsed < c.BilledQuantity && c.Amount > 0m);
        Assert.Contains(charges, c => c.AllowanceId is null && (c.DestinationGroup is "UK_NATIONAL" or "UK_MOBILE") && c.Quantity > 0);
        Assert.Contains(charges, c => c.DisconnectAt is not null);
        Assert.Contains(charges, c => c.Quantity == 0);
        Assert.True(charges.Select(c => c.MatchedPrefix).Distinct().Count() > 50, "destinations");
        Assert.Equal(2, explained.Where(e => e.Charge.Prepaid).Select(e => e.Charge.AccountId).Distinct().Count());
        Assert.All(explained.Where(e => e.Charge.Prepaid), e => Assert.Equal(e.Charge.Rating.Amount, e.Wallet.Sum(w => w.Debited + w.Overdrawn)));
    }

    [Fact]
    public void Each_stored_allowance_balance_is_the_one_before_it_less_what_that_charge_used_and_the_first_of_a_cycle_is_the_full_300_minutes()
    {
        using var conn = bench.Fx.Db.Open();

        var chain = conn.Query<(long UsageId, long Before, long? Expected)>("""
            SELECT usage_id, allowance_before,
                   coalesce(lag(allowance_before - allowance_used) OVER w, 18000)
            FROM rated_charges WHERE allowance_id = 'NAT-300MIN'
            WINDOW w AS (PARTITION BY subscription_id, cycle_start ORDER BY start_utc, usage_id)
            """).AsList();
        var lastLeft = conn.Query<(long Left, long Granted, long Used)>("""
            SELECT DISTINCT ON (r.subscription_id, r.cycle_start) r.allowance_before - r.allowance_used, b.granted, b.used
            FROM rated_charges r JOIN allowance_balances b USING (subscription_id, allowance_id, cycle_start)
            WHERE r.allowance_id = 'NAT-300MIN'
            ORDER BY r.subscription_id, r.cycle_start, r.start_utc DESC, r.usage_id DESC
            """).AsList();

        Assert.True(chain.Count > 100, $"{chain.Count} charges used the national allowance");
        Assert.DoesNotContain(chain, c => c.Before != c.Expected);
        Assert.NotEmpty(lastLeft);
        Assert.All(lastLeft, l => Assert.Equal(l.Granted - l.Used, l.Left));
    }

    [Fact]
    public void A_charge_whose_stored_amount_band_or_allowance_use_was_changed_is_reported_with_that_column_and_no_other()
    {
        using var conn = bench.Fx.Db.Open();
        var (amount, used) = conn.QuerySingle<(long, long)>("""
            SELECT (SELECT min(usage_id) FROM rated_charges WHERE amount > 0 AND allowance_used = 0),
                   (SELECT min(usage_id) FROM rated_charges WHERE allowance_used > 0)
            """);
        var band = conn.ExecuteScalar<long>("SELECT min(usage_id) FROM rated_charges WHERE time_band = 'PEAK' AND usage_id NOT IN (@amount, @used)", new { amount, used });
        const string Perturb = """
            UPDATE rated_charges SET amount = amount + 0.000001 * @sign WHERE usage_id = @amount;
            UPDATE rated_charges SET time_band = CASE WHEN @sign > 0 THEN 'WEEKEND' ELSE 'PEAK' END WHERE usage_id = @band;
            UPDATE rated_charges SET allowance_used = allowance_used + @sign WHERE usage_id = @used;
            """;
        conn.Execute(Perturb, new { sign = 1, amount, band, used });
        try
        {
            var differing = Differing(ExplainAll());

            Assert.Equal(
                new[] { (amount, "amount"), (band, "time_band"), (used, "allowance_used") }.OrderBy(x => x.Item1),
                differing.Select(d => (d.UsageId, d.Fields.Split(':')[0])));
        }
        finally
        {
            conn.Execute(Perturb, new { sign = -1, amount, band, used });
        }

        Assert.Empty(Differing(ExplainAll()));
    }

    [Fact]
    public void Charges_explain_prints_a_call_crossing_a_band_part_by_part_and_exits_0_exits_1_with_the_column_when_the_stored_amount_differs_and_2_for_no_such_usage()
    {
        using var conn = bench.Fx.Db.Open();
        var crossing = ExplainAll().First(e => e.Explanation!.Recomputed.Charge!.Parts.Select(p => p.TimingId).Distinct().Count() > 1);
        var id = crossing.Charge.Usage.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var stored = crossing.Charge.Rating;

        var text = BillingProcess.Run(_work.Path, "charges", "explain", id, "--db", bench.Fx.ConnectionString);

        Assert.True(text.Exit == 0, $"exit {text.Exit}: {text.Err}{text.Out}");
        Assert.Contains($"Usage {id} (bench ", text.Out, StringComparison.Ordinal);
        Assert.Contains($"plan BENCH (GBP, Europe/London)", text.Out, StringComparison.Ordinal);
        Assert.Contains($"time band at the start {stored.TimeBand}", text.Out, StringComparison.Ordinal);
        foreach (var part in crossing.Explanation!.Recomputed.Charge!.Parts)
        {
            Assert.Contains(Six(part.Cost), text.Out, StringComparison.Ordinal);
        }

        Assert.Contains($"stored charge {Six(stored.Amount)} GBP", text.Out, StringComparison.Ordinal);
        Assert.Contains("The charge computed again equals the stored one", text.Out, StringComparison.Ordinal);

        conn.Execute("UPDATE rated_charges SET amount = amount + 1 WHERE usage_id = @id", new { id = crossing.Charge.Usage.Id });
        try
        {
            var differs = BillingProcess.Run(_work.Path, "charges", "explain", id, "--json", "--db", bench.Fx.ConnectionString);
            var differsText = BillingProcess.Run(_work.Path, "charges", "explain", id, "--db", bench.Fx.ConnectionString);

            Assert.True(differs.Exit == 1, $"exit {differs.Exit}: {differs.Err}");
            using var doc = JsonDocument.Parse(differs.Out);
            var root = doc.RootElement;
            Assert.False(root.GetProperty("matches").GetBoolean());
            var difference = Assert.Single(root.GetProperty("differences").EnumerateArray().ToList());
            Assert.Equal(("amount", Six(stored.Amount + 1), Six(stored.Amount)),
                (difference.GetProperty("column").GetString(), difference.GetProperty("stored").GetString(), difference.GetProperty("recomputed").GetString()));
            Assert.Equal(stored.Amount, decimal.Parse(root.GetProperty("recomputed").GetProperty("cost").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(stored.TimeBand, root.GetProperty("stored").GetProperty("timeBand").GetString());
            Assert.Equal(1, differsText.Exit);
            Assert.Contains("DIFFERS from the stored charge in 1 value(s):", differsText.Out, StringComparison.Ordinal);
        }
        finally
        {
            conn.Execute("UPDATE rated_charges SET amount = amount - 1 WHERE usage_id = @id", new { id = crossing.Charge.Usage.Id });
        }

        var missing = BillingProcess.Run(_work.Path, "charges", "explain", "999999999", "--db", bench.Fx.ConnectionString);
        Assert.Equal(2, missing.Exit);
        Assert.Contains("billing: No usage record 999999999.", missing.Err, StringComparison.Ordinal);
    }
}
