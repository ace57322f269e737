using Billing.Core.Accounts;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Storage;
using Billing.Storage.Rating;
using Dapper;
using NodaTime;
using static Billing.Integration.Tests.Prepaid.PrepaidData;

namespace Billing.Integration.Tests.Prepaid;

/// <summary>Found in review: a charge taken back (late file) and then held keeps its wallet debit/overdraft; rated again later it is not "Retaken".</summary>
public sealed class ReviewRetakeHoldTests : IDisposable
{
    private const string Msisdn = "447700900102";
    private readonly ScratchDatabase _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static Instant Nov2(int hour, int minute = 0) => Instant.FromUtc(2026, 11, 2, hour, minute);

    private void RetakeAndHoldThenRelease(Npgsql.NpgsqlConnection c)
    {
        c.Execute("UPDATE accounts SET currency = 'EUR'");                       // e.g. an accounts import with a corrected currency
        RatingData.InsertUsage(c, [Call("late-0", Msisdn, Nov2(9), 60)]);       // a late file: re-sequences the cycle
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);         // c1 taken back, then held (wallet-currency)
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM rated_charges"));
        c.Execute("UPDATE accounts SET currency = 'GBP'");                       // fixed
        RatingData.SaveTemplateCatalog(c, Subscribed - Duration.FromDays(1));    // any new catalogue version: holds are retried
    }

    [Fact]
    public void A_record_overdrawn_then_taken_back_and_held_is_charged_once_when_rated_again()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);                                                      // never topped up: first call is overdraft
        RatingData.InsertUsage(c, [Call("c-1", Msisdn, Nov2(12), 60)]);         // 0.20
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        Assert.Equal([0.20m], Overdraft(c, Msisdn).Select(o => o.Amount));

        RetakeAndHoldThenRelease(c);
        TopUp(_scratch.Db, Msisdn, 10.00m, Instant.FromUtc(2026, 11, 1, 8, 0), "PAY-1");
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        var c1 = c.ExecuteScalar<long>("SELECT id FROM usage WHERE record_key = 'c-1'");
        var charged = c.ExecuteScalar<decimal>("SELECT amount FROM rated_charges WHERE usage_id = @c1", new { c1 });
        var taken = -c.ExecuteScalar<decimal>("SELECT coalesce(sum(amount), 0) FROM wallet_ledger WHERE usage_id = @c1", new { c1 })
                    + c.ExecuteScalar<decimal>("SELECT coalesce(sum(amount), 0) FROM prepaid_overdraft WHERE usage_id = @c1", new { c1 });
        Assert.Equal(charged, taken);                                            // before the fix: 0.20 charged, 0.40 taken (0.20 wallet + 0.20 collections)
    }

    [Fact]
    public void A_record_debited_then_taken_back_and_held_does_not_wedge_rating_when_rated_again()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 10.00m, Instant.FromUtc(2026, 11, 1, 8, 0), "PAY-1");
        RatingData.InsertUsage(c, [Call("c-1", Msisdn, Nov2(12), 60)]);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        RetakeAndHoldThenRelease(c);

        // before the fix: 23505 duplicate key on wallet_ledger_usage_once, on this and every later run
        var run = new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        Assert.Equal(2L, run.Rated);
        Assert.Empty(WalletStore.Check(c));
    }
}

/// <summary>Found in review: one wallet, two numbers in different rating partitions: the walk is per partition, not per wallet.</summary>
public sealed class ReviewTwoNumbersOneWalletTests : IDisposable
{
    private readonly ScratchDatabase _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static Instant Nov2(int hour, int minute = 0) => Instant.FromUtc(2026, 11, 2, hour, minute);

    [Fact]
    public void Usage_of_two_numbers_of_one_prepaid_account_is_debited_in_event_time_order()
    {
        using var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Subscribed);
        // Pick A in a partition this process rates before B's (the first partition is ProcessId % 4).
        var first = Environment.ProcessId % RatingPartitions.Count;
        var byOrder = Enumerable.Range(100, 60).Select(i => $"4477009{i:D5}")
            .Select(m => (m, order: (c.ExecuteScalar<int>("SELECT hashtext(@m) & 3", new { m }) - first + RatingPartitions.Count) % RatingPartitions.Count))
            .ToList();
        var a = byOrder.First(x => x.order == 0).m;
        var b = byOrder.First(x => x.order == 3).m;
        RatingData.AddSubscriber(c, "PP-SHARED", a, "uk_prepaid", Subscribed, billCycleDay: 1, paymentType: PaymentType.Prepaid);
        RatingData.AddSubscriber(c, "PP-SHARED", b, "uk_prepaid", Subscribed, billCycleDay: 1, paymentType: PaymentType.Prepaid);
        TopUp(_scratch.Db, a, 1.00m, Nov2(11), "PAY-1");
        RatingData.InsertUsage(c, [Call("b-10", b, Nov2(10), 60), Call("a-12", a, Nov2(12), 60)]); // 0.20 each, one file

        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        // In event time: at 10:00 the wallet is empty (B's call is overdraft); the 11:00 top-up pays A's 12:00 call.
        // before the fix: A (other partition, rated first) moves the watermark to 12:00; B's 10:00 call is then "late" and is paid by the 11:00 top-up: no overdraft.
        Assert.Equal([(b, 0.20m)], c.Query<(string, decimal)>("SELECT msisdn, amount FROM prepaid_overdraft").AsList());
    }
}

/// <summary>Found in review: expiry by the daily run, then the CDR of a call made while the credit was still valid.</summary>
public sealed class ReviewExpiryThenLateCdrTests : IDisposable
{
    private const string Msisdn = "447700900105";
    private readonly ScratchDatabase _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private void TopUpExpireThenRateLateCall(Npgsql.NpgsqlConnection c, bool usedBefore)
    {
        Prepare(c, Msisdn);                                                              // uk_prepaid: bars at zero, 180 days
        TopUp(_scratch.Db, Msisdn, 10.00m, Instant.FromUtc(2026, 1, 10, 9, 0), "GW-1");  // expires 2026-07-09 09:00
        if (usedBefore)
        {
            RatingData.InsertUsage(c, [Call("j-1", Msisdn, Instant.FromUtc(2026, 1, 11, 9, 0), 60)]); // 0.20
            new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        }

        var clock = new NodaTime.Testing.FakeClock(Instant.FromUtc(2026, 7, 10, 2, 0));  // the 02:00 daily run
        new Billing.Jobs.Prepaid.ExpireCreditJob(_scratch.Db, new CatalogCache(), clock).Run();

        // The switch's file for the evening of 8 July (credit still valid) arrives on the 10th.
        RatingData.InsertUsage(c, [Call("j-8", Msisdn, Instant.FromUtc(2026, 7, 8, 20, 0), 60)]); // 0.20
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
    }

    [Fact]
    public void A_wallet_that_never_had_usage_never_goes_below_its_floor_after_the_expiry_run()
    {
        using var c = _scratch.Db.Open();
        TopUpExpireThenRateLateCall(c, usedBefore: false);

        // before the fix: the expiry run left watermark NULL (lastExpiry > null is false), so the expiry row stays "pending";
        // the walk pays the 0.20 from credit already forfeited: ledger topup 10, expiry -10, usage -0.20 -> balance -0.20, not barred, no overdraft.
        Assert.True(Balance(c, Msisdn) >= 0m, $"balance {Balance(c, Msisdn)} on a plan that bars at zero; barred_since {BarredSince(c, Msisdn)}");
    }

    [Fact]
    public void A_call_made_before_the_expiry_moment_is_paid_from_the_credit_even_if_its_cdr_comes_after_the_expiry_run()
    {
        using var c = _scratch.Db.Open();
        TopUpExpireThenRateLateCall(c, usedBefore: true);

        // before the fix: 9.80 expired at 9 July, then the 8 July call is "late" against 0.00: 0.20 overdraft (barred) for collections.
        Assert.Empty(Overdraft(c, Msisdn));
    }
}


/// <summary>Found in review: a record rated again after its subscription period moved to another account.</summary>
public sealed class ReassignedSubscriptionTests : IDisposable
{
    private readonly ScratchDatabase _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static Instant Nov2(int h) => Instant.FromUtc(2026, 11, 2, h, 0);

    private long ChargeThenReassign(Npgsql.NpgsqlConnection c, PaymentType newPaymentType, decimal newTopUp = 0m)
    {
        const string nx = "447700900301";
        RatingData.SaveTemplateCatalog(c, Subscribed);
        RatingData.AddSubscriber(c, "PP-A", nx, "uk_prepaid", Subscribed, billCycleDay: 1, paymentType: PaymentType.Prepaid);
        TopUp(_scratch.Db, nx, 10.00m, Instant.FromUtc(2026, 11, 1, 8, 0), "PAY-1");
        RatingData.InsertUsage(c, [Call("c-12", nx, Nov2(12), 60)]);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);

        // An accounts import corrects the owner of the same period; then a late file re-rates the cycle.
        RatingData.AddSubscriber(c, "PP-B", nx, "uk_prepaid", Subscribed, billCycleDay: 1, paymentType: newPaymentType);
        if (newTopUp > 0)
        {
            TopUp(_scratch.Db, nx, newTopUp, Instant.FromUtc(2026, 11, 1, 9, 0), "PAY-B");
        }

        RatingData.InsertUsage(c, [Call("c-09", nx, Nov2(9), 60)]);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        var c12 = c.ExecuteScalar<long>("SELECT id FROM usage WHERE record_key = 'c-12'");
        Assert.Equal("PP-B", c.ExecuteScalar<string>("SELECT account_id FROM rated_charges WHERE usage_id = @c12", new { c12 }));
        return c12;
    }

    [Fact]
    public void Moved_to_a_postpaid_account_the_old_wallet_gets_its_debit_back()
    {
        using var c = _scratch.Db.Open();
        var c12 = ChargeThenReassign(c, PaymentType.Postpaid);

        Assert.Equal(0m, c.ExecuteScalar<decimal>("SELECT coalesce(sum(amount), 0) FROM wallet_ledger WHERE usage_id = @c12", new { c12 }));
        Assert.Equal(10.00m, c.ExecuteScalar<decimal>("SELECT balance FROM wallets WHERE account_id = 'PP-A'"));
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void Moved_to_another_prepaid_account_the_new_wallet_pays_and_the_old_one_gets_it_back()
    {
        using var c = _scratch.Db.Open();
        var c12 = ChargeThenReassign(c, PaymentType.Prepaid);
        // PP-A's debit is given back; PP-B was never topped up, so the record is PP-B's overdraft now.
        Assert.Empty(c.Query<(string, decimal)>(
            "SELECT account_id, sum(amount) FROM wallet_ledger WHERE usage_id = @c12 GROUP BY 1 HAVING sum(amount) <> 0", new { c12 }).AsList());
        Assert.Equal([("PP-B", 0.20m)], c.Query<(string, decimal)>(
            "SELECT account_id, sum(amount) FROM prepaid_overdraft WHERE usage_id = @c12 GROUP BY 1", new { c12 }).AsList());
        Assert.Equal(10.00m, c.ExecuteScalar<decimal>("SELECT balance FROM wallets WHERE account_id = 'PP-A'"));
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void Moved_to_another_prepaid_account_with_credit_the_new_wallet_pays_it()
    {
        using var c = _scratch.Db.Open();
        var c12 = ChargeThenReassign(c, PaymentType.Prepaid, newTopUp: 5.00m);

        Assert.Equal([("PP-B", -0.20m)], c.Query<(string, decimal)>(
            "SELECT account_id, sum(amount) FROM wallet_ledger WHERE usage_id = @c12 GROUP BY 1 HAVING sum(amount) <> 0", new { c12 }).AsList());
        Assert.Equal((10.00m, 4.60m), (c.ExecuteScalar<decimal>("SELECT balance FROM wallets WHERE account_id = 'PP-A'"), c.ExecuteScalar<decimal>("SELECT balance FROM wallets WHERE account_id = 'PP-B'")));
        Assert.Empty(WalletStore.Check(c));
    }
}
