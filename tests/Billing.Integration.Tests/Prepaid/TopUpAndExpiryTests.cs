using System.Text.Json;
using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Prepaid;
using Billing.Jobs.Rating;
using Billing.Notifications;
using Billing.Storage;
using Dapper;
using NodaTime;
using NodaTime.Testing;
using static Billing.Integration.Tests.Prepaid.PrepaidData;

namespace Billing.Integration.Tests.Prepaid;

public sealed class TopUpAndExpiryTests : IDisposable
{
    private const string Msisdn = "447700900105";
    private readonly ScratchDatabase _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void A_reference_already_credited_credits_nothing_and_a_postpaid_number_is_refused_whole()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        RatingData.AddSubscriber(c, "POST-1", "447700900200", "uk_postpaid_300", Subscribed);
        var service = new TopUpService(new CatalogCache(), NotificationTemplates.Shipped);
        var at = Instant.FromUtc(2026, 11, 1, 12, 0);

        var first = service.Credit(c, [new TopUpRequest(Msisdn, 10.00m, at, "GW-1"), new TopUpRequest(Msisdn, 2.50m, at, "GW-2")]);
        var again = service.Credit(c, [new TopUpRequest(Msisdn, 10.00m, at, "GW-1"), new TopUpRequest(Msisdn, 1.00m, at, "GW-3")]);
        Assert.Throws<TopUpException>(() => service.Credit(c, [new TopUpRequest(Msisdn, 5.00m, at, "GW-4"), new TopUpRequest("447700900200", 5.00m, at, "GW-5")]));
        Assert.Throws<TopUpException>(() => service.Credit(c, [new TopUpRequest(Msisdn, 5.00m, at, "GW-6", Currency: "EUR")]));

        Assert.Equal([true, true], first.Select(r => r.Added));
        Assert.Equal([false, true], again.Select(r => r.Added));
        Assert.Equal(13.50m, Balance(c, Msisdn));
        Assert.Equal(["GW-1", "GW-2", "GW-3"], c.Query<string>("SELECT reference FROM wallet_ledger ORDER BY id"));
        Assert.Equal(3, c.ExecuteScalar<int>("SELECT count(*) FROM notifications WHERE kind = 'topup'"));
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void A_top_up_dated_a_year_ahead_by_a_slip_is_refused_whole_while_one_5_minutes_ahead_of_our_clock_is_credited()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        var now = Instant.FromUtc(2026, 11, 2, 12, 0);
        var service = new TopUpService(new CatalogCache(), NotificationTemplates.Shipped, clock: new FakeClock(now));

        // 2027 for 2026: credited, the 10.00 would be in the balance and lift the barring, yet pay for no call for a year.
        var e = Assert.Throws<TopUpException>(() => service.Credit(c, [new TopUpRequest(Msisdn, 5.00m, now, "GW-1"), new TopUpRequest(Msisdn, 10.00m, now.Plus(Duration.FromDays(365)), "GW-2")]));
        Assert.Contains("top-up GW-2: its time 2027-11-02T12:00:00Z is later than now", e.Message, StringComparison.Ordinal);
        Assert.Throws<TopUpException>(() => service.BuyBundle(c, Msisdn, "pp_minutes_100", now.Plus(Duration.FromDays(1)), null));
        Assert.Empty(Ledger(c, Msisdn));

        var skewed = service.Credit(c, [new TopUpRequest(Msisdn, 5.00m, now.Plus(TopUpService.ClockSkew), "GW-3")]);
        Assert.Equal([true], skewed.Select(r => r.Added));
        Assert.Equal(5.00m, Balance(c, Msisdn));
    }

    [Fact]
    public void A_manual_adjustment_is_a_ledger_row_with_its_reason_in_the_audit_log_and_the_ledger_cannot_be_rewritten()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        var service = new TopUpService(new CatalogCache(), NotificationTemplates.Shipped);
        var at = Instant.FromUtc(2026, 11, 1, 12, 0);

        service.Credit(c, [new TopUpRequest(Msisdn, 1.00m, at, "GW-1")]);
        var debit = service.Adjust(c, Msisdn, -1.50m, at, "charge missed by the switch", "finance-2");
        Assert.Equal(at, BarredSince(c, Msisdn));
        var credit = service.Adjust(c, Msisdn, 2.00m, at, "goodwill: dropped call", "care-7");

        Assert.Equal((Money.Of(-0.50m, "GBP"), Money.Of(1.50m, "GBP")), (debit.Balance, credit.Balance));
        Assert.Null(BarredSince(c, Msisdn));
        Assert.Equal([("topup", 1.00m), ("adjustment", -1.50m), ("adjustment", 2.00m)], Ledger(c, Msisdn).Select(l => (l.Kind, l.Amount)));
        Assert.Equal(["care-7 goodwill: dropped call", "finance-2 charge missed by the switch"],
            c.Query<string>("SELECT actor || ' ' || (detail->>'reason') FROM audit_log WHERE action = 'wallet.adjust' ORDER BY 1"));
        Assert.Throws<TopUpException>(() => service.Adjust(c, Msisdn, 1.00m, at, " ", "care-7"));

        var e = Assert.Throws<Npgsql.PostgresException>(() => c.Execute("UPDATE wallet_ledger SET amount = 100"));
        Assert.Contains("wallet_ledger is append-only", e.MessageText, StringComparison.Ordinal);
        Assert.Throws<Npgsql.PostgresException>(() => c.Execute("DELETE FROM wallet_ledger"));
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void The_currency_of_an_account_with_a_wallet_cannot_change_under_it()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 5.00m, Instant.FromUtc(2026, 11, 1, 12, 0), "GW-1");

        var result = AccountStore.Import(c, [new AccountImportLine(7, new Account(Account(Msisdn), "Renamed", "", null, "en", Currency.Of("EUR"), "Europe/London", PaymentType.Prepaid, 1, "UK", ""), null)]);

        var error = Assert.Single(result.Errors);
        Assert.Equal(7, error.Line);
        Assert.Contains("has a prepaid wallet in GBP: its currency cannot change to EUR", error.Message, StringComparison.Ordinal);
        Assert.Equal("GBP", c.ExecuteScalar<string>("SELECT currency FROM accounts WHERE id = @a", new { a = Account(Msisdn) }));
    }

    [Fact]
    public void The_expiry_run_forfeits_credit_older_than_the_plans_expiry_days_once()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn); // uk_prepaid: credit expires 180 days after the last top-up
        TopUp(_scratch.Db, Msisdn, 7.25m, Instant.FromUtc(2026, 1, 10, 9, 0), "GW-1");
        TopUp(_scratch.Db, Msisdn, 3.00m, Instant.FromUtc(2026, 2, 1, 9, 0), "GW-2");
        RatingData.InsertUsage(c, [Call("e-1", Msisdn, Instant.FromUtc(2026, 2, 2, 9, 0), 75)]); // 0.25
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        // The credit expires at 2026-07-31 09:00 London time (08:00 UTC in summer), 180 calendar days after the last
        // top-up at 09:00 London time; the run waits two more days for late CDRs of calls made before that moment.
        var clock = new FakeClock(Instant.FromUtc(2026, 8, 2, 7, 0));
        var job = new ExpireCreditJob(_scratch.Db, new CatalogCache(), clock);

        Assert.Equal(0, job.Run().Expired);
        clock.AdvanceDays(1);
        var run = job.Run();
        Assert.Equal(1L, run.Expired);
        Assert.Equal([Money.Of(10.00m, "GBP")], run.Amounts);
        Assert.Equal(0, job.Run().Expired);

        var expiry = Assert.Single(Ledger(c, Msisdn), l => l.Kind == "expiry");
        Assert.Equal((Instant.FromUtc(2026, 7, 31, 8, 0), -10.00m, 0m), (expiry.At, expiry.Amount, expiry.BalanceAfter));
        Assert.Equal(["topup", "topup", "expired"], Notices(c, Msisdn));
        Assert.Contains("10.00 GBP of unused credit", c.ExecuteScalar<string>("SELECT body FROM notifications WHERE kind = 'expired'"), StringComparison.Ordinal);
        Assert.Equal(Instant.FromUtc(2026, 7, 31, 8, 0), BarredSince(c, Msisdn));

        // Usage after the expiry is overdraft; rating does not expire the credit a second time.
        RatingData.InsertUsage(c, [Call("e-2", Msisdn, Instant.FromUtc(2026, 8, 2, 9, 0), 60)]);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        Assert.Single(Ledger(c, Msisdn), l => l.Kind == "expiry");
        Assert.Equal(0.20m, Overdraft(c, Msisdn).Single().Amount);
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void The_expiry_run_forfeits_7_25_that_expired_before_a_later_top_up_and_keeps_the_5_00_of_that_top_up()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn); // uk_prepaid: credit expires 180 days after the last top-up
        TopUp(_scratch.Db, Msisdn, 7.25m, Instant.FromUtc(2026, 1, 10, 9, 0), "GW-1");
        // The 7.25 expires at 2026-07-09 09:00 London time (08:00 UTC); the subscriber tops up the next day, before the run's two days are over.
        TopUp(_scratch.Db, Msisdn, 5.00m, Instant.FromUtc(2026, 7, 10, 9, 0), "GW-2");
        var job = new ExpireCreditJob(_scratch.Db, new CatalogCache(), new FakeClock(Instant.FromUtc(2026, 7, 11, 10, 0)));

        var run = job.Run();

        Assert.Equal(1L, run.Expired);
        Assert.Equal([Money.Of(7.25m, "GBP")], run.Amounts);
        var expiry = Assert.Single(Ledger(c, Msisdn), l => l.Kind == "expiry");
        Assert.Equal((Instant.FromUtc(2026, 7, 9, 8, 0), -7.25m), (expiry.At, expiry.Amount));
        Assert.Equal(5.00m, Balance(c, Msisdn));
        Assert.Equal(["topup", "topup", "expired"], Notices(c, Msisdn));
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void Credit_rating_forfeited_and_a_2_00_top_up_since_leave_the_wallet_no_candidate_of_the_expiry_run_until_that_top_up_has_expired()
    {
        using var c = _scratch.Db.Open();
        RateCallsOnEitherSideOfTheExpiryOfA4_00TopUp(c); // forfeits the 3.80 left at 2026-07-09 09:00 London time
        TopUp(_scratch.Db, Msisdn, 2.00m, Instant.FromUtc(2026, 8, 5, 9, 0), "GW-2");

        var september = new ExpireCreditJob(_scratch.Db, new CatalogCache(), new FakeClock(Instant.FromUtc(2026, 9, 1, 9, 0))).Run();
        var february = new ExpireCreditJob(_scratch.Db, new CatalogCache(), new FakeClock(Instant.FromUtc(2027, 2, 4, 9, 0))).Run();

        Assert.Equal((0L, 0L), (september.Wallets, september.Expired));
        Assert.Equal((1L, 1L), (february.Wallets, february.Expired)); // 180 days after 5 August, 10:00 London time
        Assert.Equal([Money.Of(2.00m, "GBP")], february.Amounts);
    }

    [Fact]
    public void Wallets_expire_json_gives_what_expired_per_currency_3_00_EUR_and_7_25_GBP_not_a_sum_of_both()
    {
        using var work = new TempDir();
        const string Irish = "353870000001";
        using (var c = _scratch.Db.Open())
        {
            Prepare(c, Msisdn);
            var euro = new Account("PP-EUR", "Customer PP-EUR", "", null, "en", Currency.Of("EUR"), "Europe/Dublin", PaymentType.Prepaid, 1, "IE", "");
            Assert.Empty(AccountStore.Import(c, [new AccountImportLine(1, euro, new Subscription(0, "PP-EUR", Irish, "uk_prepaid", Subscribed, null))]).Errors);
        }

        // Both expire 180 days later, in July 2026: long before the run (the machine's clock).
        TopUp(_scratch.Db, Msisdn, 7.25m, Instant.FromUtc(2026, 1, 10, 9, 0), "GW-1");
        TopUp(_scratch.Db, Irish, 3.00m, Instant.FromUtc(2026, 1, 10, 9, 0), "GW-2");

        var run = Ok(BillingProcess.Run(work.Path, "wallets", "expire", "--json", "--db", _scratch.Db.ConnectionString));

        using var doc = JsonDocument.Parse(run);
        Assert.Equal(2, doc.RootElement.GetProperty("expired").GetInt32());
        Assert.Equal([("EUR", 3.00m), ("GBP", 7.25m)],
            doc.RootElement.GetProperty("totals").EnumerateArray().Select(t => (t.GetProperty("currency").GetString(), decimal.Parse(t.GetProperty("amount").GetString()!, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void Rating_expires_credit_itself_when_it_meets_usage_after_the_expiry_moment()
    {
        using var c = _scratch.Db.Open();

        RateCallsOnEitherSideOfTheExpiryOfA4_00TopUp(c);

        Assert.Equal([("topup", 4.00m), ("usage", -0.20m), ("expiry", -3.80m)], Ledger(c, Msisdn).Select(l => (l.Kind, l.Amount)));
        Assert.Equal(Instant.FromUtc(2026, 7, 9, 8, 0), Ledger(c, Msisdn)[2].At); // 09:00 London time, as the top-up
        Assert.Equal(0.20m, Overdraft(c, Msisdn).Single().Amount);
        Assert.Equal(["topup", "expired"], Notices(c, Msisdn));
    }

    [Fact]
    public void EndToEnd_topups_import_is_idempotent_and_wallets_show_and_check_tell_the_story()
    {
        using var work = new TempDir();
        var cs = _scratch.Db.ConnectionString;
        using (var c = _scratch.Db.Open())
        {
            Prepare(c, Msisdn);
            RatingData.InsertUsage(c, [Call("w-1", Msisdn, Instant.FromUtc(2026, 11, 2, 9, 0), 1200)]); // 4.00
        }

        var export = work.File("gateway.csv");
        File.WriteAllText(export, "reference,msisdn,amount,paid_at,currency\nGW-1,07700900105,3.00,2026-11-01T12:00:00Z,GBP\nGW-2,+447700900105,2.00,2026-11-01T13:00:00Z,GBP\n");

        var first = Ok(BillingProcess.Run(work.Path, "topups", "import", export, "--db", cs));
        var second = Ok(BillingProcess.Run(work.Path, "topups", "import", export, "--json", "--db", cs));
        Ok(BillingProcess.Run(work.Path, "rate", "--db", cs));
        var show = Ok(BillingProcess.Run(work.Path, "wallets", "show", "07700900105", "--json", "--db", cs));
        var check = BillingProcess.Run(work.Path, "wallets", "check", "--db", cs);
        var bad = work.File("bad.csv");
        File.WriteAllText(bad, "reference,msisdn,amount,paid_at\nGW-9,07700900105,abc,2026-11-01T12:00:00Z\n");
        var refused = BillingProcess.Run(work.Path, "topups", "import", bad, "--db", cs);

        Assert.Contains("credited 2 top-up(s) (5.00 GBP)", first, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(second))
        {
            Assert.Equal((0, 2), (doc.RootElement.GetProperty("credited").GetInt32(), doc.RootElement.GetProperty("alreadyCredited").GetInt32()));
        }

        using (var doc = JsonDocument.Parse(show))
        {
            var w = doc.RootElement;
            Assert.Equal(("PP-0105", "1.000000"), (w.GetProperty("account").GetString(), w.GetProperty("balance").GetString()));
            Assert.Equal(["usage", "topup", "topup"], w.GetProperty("movements").EnumerateArray().Select(m => m.GetProperty("kind").GetString()));
            Assert.Equal(["low-balance"], w.GetProperty("notifications").EnumerateArray().Select(m => m.GetProperty("kind").GetString()));
        }

        Assert.Equal(0, check.Exit);
        Assert.Contains("every balance equals the sum of its ledger", check.Out, StringComparison.Ordinal);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("bad.csv:2: amount 'abc'", refused.Out, StringComparison.Ordinal);

        // A tampered balance is found.
        using (var c = _scratch.Db.Open())
        {
            c.Execute("UPDATE wallets SET balance = balance + 0.01");
        }

        var tampered = BillingProcess.Run(work.Path, "wallets", "check", "--db", cs);
        Assert.Equal(1, tampered.Exit);
        Assert.Contains("PP-0105: balance 1.010000, ledger 1.000000", tampered.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_top_up_finer_than_a_penny_or_above_the_configured_ceiling_of_50_GBP_is_refused_whole_and_credits_nothing()
    {
        using var work = new TempDir();
        var cs = _scratch.Db.ConnectionString;
        using (var c = _scratch.Db.Open())
        {
            Prepare(c, Msisdn);
        }

        var config = work.File("billing.json");
        File.WriteAllText(config, """{ "prepaid": { "topUpCeiling": 50 } }""");
        var export = work.File("gateway.csv");
        File.WriteAllText(export, "reference,msisdn,amount,paid_at\nGW-1,07700900105,10.00,2026-11-01T12:00:00Z\nGW-2,07700900105,0.0001,2026-11-01T13:00:00Z\n");
        var large = work.File("large.csv");
        File.WriteAllText(large, "reference,msisdn,amount,paid_at\nGW-3,07700900105,50.01,2026-11-01T12:00:00Z\n");

        var tenth = BillingProcess.Run(work.Path, "topup", "07700900105", "0.001", "--db", cs);
        var fraction = BillingProcess.Run(work.Path, "topups", "import", export, "--db", cs);
        var above = BillingProcess.Run(work.Path, "topups", "import", large, "--config", config, "--db", cs);
        var typed = BillingProcess.Run(work.Path, "topup", "07700900105", "50.01", "--config", config, "--db", cs);
        var adjusted = BillingProcess.Run(work.Path, "wallets", "adjust", "07700900105", "-0.005", "--reason", "typo", "--db", cs);
        var ceiling = Ok(BillingProcess.Run(work.Path, "topup", "07700900105", "50.00", "--reference", "CARE-1", "--config", config, "--db", cs));

        Assert.Equal((2, "billing: top-up 447700900105: the amount 0.001 is finer than GBP's minor unit (at most 2 decimals). Nothing was credited.\n"), (tenth.Exit, tenth.Err));
        Assert.Equal((2, "billing: top-up GW-2: the amount 0.0001 is finer than GBP's minor unit (at most 2 decimals). Nothing was credited.\n"), (fraction.Exit, fraction.Err));
        Assert.Equal((2, "billing: top-up GW-3: the amount 50.01 is above the ceiling of 50 per top-up (prepaid.topUpCeiling). Nothing was credited.\n"), (above.Exit, above.Err));
        Assert.Equal((2, "billing: AMOUNT '50.01' is above the ceiling of 50 per top-up (prepaid.topUpCeiling).\n"), (typed.Exit, typed.Err));
        Assert.Equal((2, "billing: adjustment of +447700900105: the amount -0.005 is finer than GBP's minor unit (at most 2 decimals). Nothing was posted.\n"), (adjusted.Exit, adjusted.Err));
        Assert.Contains("Credited 50.00 GBP", ceiling, StringComparison.Ordinal);
        using var conn = _scratch.Db.Open();
        Assert.Equal([("topup", 50.00m)], Ledger(conn, Msisdn).Select(l => (l.Kind, l.Amount)));
    }

    /// <summary>4.00 topped up on 10 January, a 0.20 call the next day and one on 1 August, after the credit's 180 days: rated.</summary>
    private void RateCallsOnEitherSideOfTheExpiryOfA4_00TopUp(Npgsql.NpgsqlConnection c)
    {
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 4.00m, Instant.FromUtc(2026, 1, 10, 9, 0), "GW-1");
        RatingData.InsertUsage(c, [Call("r-1", Msisdn, Instant.FromUtc(2026, 1, 11, 9, 0), 60), Call("r-2", Msisdn, Instant.FromUtc(2026, 8, 1, 9, 0), 60)]);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
    }

    private static string Ok((int Exit, string Out, string Err) run)
    {
        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}\n{run.Out}");
        return run.Out;
    }
}
