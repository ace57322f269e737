using Billing.Core.Money;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Storage;
using Dapper;
using NodaTime;
using static Billing.Integration.Tests.Prepaid.PrepaidData;

namespace Billing.Integration.Tests.Prepaid;

public sealed class WalletRatingTests : IDisposable
{
    private const string Msisdn = "447700900102";
    private readonly ScratchDatabase _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static Instant Nov2(int hour, int minute = 0) => Instant.FromUtc(2026, 11, 2, hour, minute);

    [Fact]
    public void A_day_of_mixed_usage_debits_the_wallet_to_the_exact_balance_in_event_time_order()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 10.00m, Nov2(7), "PAY-1");
        RatingData.InsertUsage(c,
        [
            Call("d-3", Msisdn, Nov2(18, 59), 95),                                           // 95 s × 0.20/60 = 0.316667 → up, 4 dp: 0.3167
            UsageSpec.Sms("d-1", Msisdn, "447700900999", Nov2(8, 15)),                       // 0.12
            UsageSpec.Data("d-4", Msisdn, Nov2(21, 30), 1_572_864),                          // 1.5 MB at 0.10/MB = 0.15
            Call("d-2", Msisdn, Nov2(12, 0), 600),                                           // 10 min = 2.00
        ]);

        var run = new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        Assert.Equal((4L, 4L, 0L), (run.Rated, run.WalletDebits, run.Overdrafts));
        var ledger = Ledger(c, Msisdn);
        Assert.Equal(
            [("topup", 10.00m, 10.00m), ("usage", -0.12m, 9.88m), ("usage", -2.00m, 7.88m), ("usage", -0.3167m, 7.5633m), ("usage", -0.15m, 7.4133m)],
            ledger.Select(l => (l.Kind, l.Amount, l.BalanceAfter)));
        Assert.Equal(7.4133m, Balance(c, Msisdn));
        Assert.Equal(RatingData.Charges(c).Sum(x => x.Amount), 10.00m - Balance(c, Msisdn));
        Assert.Empty(WalletStore.Check(c));
        Assert.Equal(["topup"], Notices(c, Msisdn));

        // A rerun finds nothing to rate and debits nothing.
        var again = new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        Assert.Equal((0L, 0L), (again.Rated, again.WalletDebits));
        Assert.Equal(5, Ledger(c, Msisdn).Count);
    }

    [Fact]
    public void A_top_up_between_two_calls_of_the_same_file_pays_for_the_second_call_only()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 0.30m, Nov2(8), "PAY-1");
        TopUp(_scratch.Db, Msisdn, 10.00m, Nov2(10, 10), "PAY-2");
        var ids = RatingData.InsertUsage(c, [Call("t-1", Msisdn, Nov2(10, 0), 300), Call("t-2", Msisdn, Nov2(10, 20), 300)]);

        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        // 10:00 costs 1.00 with 0.30 in the wallet: 0.30 debited, 0.70 overdraft, barred until the 10:10 top-up.
        Assert.Equal([("usage", -0.30m, ids[0]), ("usage", -1.00m, ids[1])], Ledger(c, Msisdn).Where(l => l.Kind == "usage").Select(l => (l.Kind, l.Amount, l.UsageId!.Value)));
        Assert.Equal([(ids[0], 0.70m, "barred")], Overdraft(c, Msisdn));
        Assert.Equal(9.00m, Balance(c, Msisdn));
        Assert.Null(BarredSince(c, Msisdn));
        Assert.Equal(["topup", "topup", "exhausted"], Notices(c, Msisdn));
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void A_call_that_exhausts_the_balance_mid_call_is_debited_up_to_it_and_the_rest_is_overdraft_then_the_subscriber_is_barred()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 0.50m, Nov2(8), "PAY-1");
        var ids = RatingData.InsertUsage(c, [Call("x-1", Msisdn, Nov2(10, 0), 360), UsageSpec.Sms("x-2", Msisdn, "447700900999", Nov2(11, 0))]);

        var run = new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        Assert.Equal((1L, 2L, 1L), (run.WalletDebits, run.Overdrafts, run.Notifications));
        Assert.Equal(-0.50m, Assert.Single(Ledger(c, Msisdn), l => l.Kind == "usage").Amount);
        Assert.Equal([(ids[0], 0.70m, "barred"), (ids[1], 0.12m, "barred")], Overdraft(c, Msisdn));
        Assert.Equal(0m, Balance(c, Msisdn));
        Assert.Equal(Nov2(10, 0), BarredSince(c, Msisdn));
        Assert.Equal(1, c.ExecuteScalar<int>("SELECT count(*) FROM notifications WHERE kind = 'exhausted'"));
        Assert.Contains("ran out at 2026-11-02 10:00", c.ExecuteScalar<string>("SELECT body FROM notifications WHERE kind = 'exhausted'"), StringComparison.Ordinal);
        Assert.Equal([("PP-0102", Money.Of(0.82m, "GBP"))], WalletStore.Overdraft(c, null).Select(o => (o.AccountId, o.Amount)));

        // A top-up lifts the barring.
        TopUp(_scratch.Db, Msisdn, 5.00m, Nov2(12), "PAY-2");
        Assert.Null(BarredSince(c, Msisdn));
    }

    [Fact]
    public void Thresholds_notify_once_per_crossing_across_runs_and_again_after_a_top_up()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 6.00m, Nov2(7), "PAY-1");
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());

        // 6.00 → 5.20 → 4.40 (below 5) in one run, 3.60 and 2.80 in two more: one low-balance notice.
        RatingData.InsertUsage(c, [Call("a-1", Msisdn, Nov2(9), 240), Call("a-2", Msisdn, Nov2(9, 10), 240)]);
        job.RateAll(100);
        RatingData.InsertUsage(c, [Call("a-3", Msisdn, Nov2(9, 20), 240)]);
        job.RateAll(100);
        RatingData.InsertUsage(c, [Call("a-4", Msisdn, Nov2(9, 30), 240)]);
        job.RateAll(100);
        Assert.Equal(["topup", "low-balance"], Notices(c, Msisdn));
        Assert.Equal(2.80m, Balance(c, Msisdn));

        // Back above 5 with a top-up (7.80), then down to 7.00 and to 5.00 (reaching it counts): told again.
        TopUp(_scratch.Db, Msisdn, 5.00m, Nov2(10), "PAY-2");
        RatingData.InsertUsage(c, [Call("a-5", Msisdn, Nov2(11), 240), Call("a-6", Msisdn, Nov2(11, 10), 600)]);
        job.RateAll(100);
        Assert.Equal(["topup", "low-balance", "topup", "low-balance"], Notices(c, Msisdn));
        Assert.Equal(5.00m, Balance(c, Msisdn));
    }

    [Fact]
    public void A_crash_after_the_wallet_was_debited_leaves_nothing_and_the_rerun_debits_once()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 1.00m, Nov2(7), "PAY-1");
        RatingData.InsertUsage(c, [Call("k-1", Msisdn, Nov2(9), 120), Call("k-2", Msisdn, Nov2(9, 5), 300)]);

        // The batch dies after its ledger rows and notifications are written, while storing the charges.
        c.Execute("""
            CREATE FUNCTION crash() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$;
            CREATE TRIGGER crash BEFORE INSERT ON rated_charges FOR EACH STATEMENT EXECUTE FUNCTION crash();
            """);
        Assert.ThrowsAny<Npgsql.PostgresException>(() => new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100));
        Assert.Equal(["topup"], Ledger(c, Msisdn).Select(l => l.Kind));
        Assert.Equal(["topup"], Notices(c, Msisdn));

        c.Execute("DROP TRIGGER crash ON rated_charges");
        var rerun = new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        // 120 s = 0.40 debited; 300 s = 1.00 of which 0.60 debited and 0.40 overdraft.
        Assert.Equal((2L, 2L), (rerun.Rated, rerun.WalletDebits));
        Assert.Equal([-0.40m, -0.60m], Ledger(c, Msisdn).Where(l => l.Kind == "usage").Select(l => l.Amount));
        Assert.Equal([0.40m], Overdraft(c, Msisdn).Select(o => o.Amount));
        Assert.Equal(["topup", "exhausted"], Notices(c, Msisdn));
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void A_late_file_re_sequences_rating_but_never_debits_a_record_twice()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 20.00m, Nov2(7), "PAY-1");
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());
        RatingData.InsertUsage(c, [Call("l-2", Msisdn, Nov2(12), 60), Call("l-3", Msisdn, Nov2(13), 60)]);
        job.RateAll(100);

        RatingData.InsertUsage(c, [Call("l-1", Msisdn, Nov2(9), 60)]);
        var late = job.RateAll(100);

        Assert.Equal((3L, 2L, 1L), (late.Rated, late.ReRated, late.WalletDebits));
        Assert.Equal(3, Ledger(c, Msisdn).Count(l => l.Kind == "usage"));
        Assert.Equal(19.40m, Balance(c, Msisdn));
        Assert.Equal(RatingData.Charges(c).Sum(x => x.Amount), -Ledger(c, Msisdn).Where(l => l.Kind == "usage").Sum(l => l.Amount));
    }

    [Fact]
    public void A_prepaid_charge_in_another_currency_than_the_wallet_is_held_not_debited()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        c.Execute("UPDATE accounts SET currency = 'EUR'");
        RatingData.InsertUsage(c, [Call("eur-1", Msisdn, Nov2(9), 60)]);

        var run = new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        Assert.Equal((0L, 1L, 0L), (run.Rated, run.Held, run.WalletDebits));
        Assert.Equal(1L, run.HeldByReason["wallet-currency"]);
        Assert.Contains("plan uk_prepaid prices in GBP but account PP-0102's wallet is in EUR", c.ExecuteScalar<string>("SELECT detail FROM rating_holds"), StringComparison.Ordinal);
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM wallet_ledger"));
    }

    [Fact]
    public void Postpaid_usage_touches_no_wallet()
    {
        using var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Subscribed);
        RatingData.AddSubscriber(c, "POST-1", Msisdn, "uk_prepaid", Subscribed, billCycleDay: 1);
        RatingData.InsertUsage(c, [Call("p-1", Msisdn, Nov2(9), 60)]);

        var run = new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        Assert.Equal((1L, 0L), (run.Rated, run.WalletDebits));
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM wallets"));
    }
}
