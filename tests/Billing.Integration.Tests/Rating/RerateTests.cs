using Billing.Catalog;
using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Storage;
using Dapper;
using NodaTime;

namespace Billing.Integration.Tests.Rating;

public sealed class RerateTests : IDisposable
{
    private readonly ScratchDatabase _scratch = new();
    private readonly TempDir _tmp = new();

    public void Dispose()
    {
        _scratch.Dispose();
        _tmp.Dispose();
    }

    private static Money Gbp(decimal amount) => Money.Of(amount, "GBP");

    /// <summary>templates/catalog with the prepaid voice price changed from 0.20 to 0.30 a minute: the "tariff fix".</summary>
    private int SaveFixedCatalog(Npgsql.NpgsqlConnection c)
    {
        var folder = _tmp.File("fixed");
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in CatalogSource.ReadFiles(RatingData.TemplateCatalog))
        {
            File.WriteAllText(Path.Combine(folder, name), name == "rates.csv" ? content.Replace("pp_voice,0,0.20,", "pp_voice,0,0.30,", StringComparison.Ordinal) : content);
        }

        Assert.NotEqual(CatalogChecksum.Of(RatingData.TemplateCatalog), CatalogChecksum.Of(folder));
        return CatalogStore.Save(c, "fixed", CatalogSource.Native, CatalogChecksum.Of(folder), Instant.FromUtc(2026, 1, 1, 0, 0),
            CatalogSource.ReadFiles(folder), new Dictionary<string, string>(), "tests").Id;
    }

    [Fact]
    public void Rerate_ReplacesOpenCharges_RecordsTheDeltaOfInvoicedOnes_AndNeverTwice()
    {
        using var c = _scratch.Db.Open();
        var v1 = RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        const string msisdn = "447700900901";
        // A postpaid account (on the prepaid plan's prices): a prepaid account's usage is never on an invoice, its wallet paid it.
        RatingData.AddSubscriber(c, "R-1", msisdn, "uk_prepaid", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1);
        var ids = RatingData.InsertUsage(c, [
            UsageSpec.Voice("r-a", msisdn, "447700900123", Instant.FromUtc(2026, 11, 10, 10, 0), 90),
            UsageSpec.Voice("r-b", msisdn, "447700900123", Instant.FromUtc(2026, 11, 11, 10, 0), 61),
        ]);
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());
        job.RateAll(1000);
        // pp_voice 0.20 per 60 s, 1 s increments, rounded up to 4 decimals: 90 s = 0.30; 61 s = 0.20333… → 0.2034.
        Assert.Equal([("r-a", 0.30m, v1), ("r-b", 0.2034m, v1)], RatingData.Charges(c).Select(x => (x.RecordKey, x.Amount, x.CatalogVersion)));
        c.Execute("UPDATE rated_charges SET invoice_id = 77 WHERE usage_id = @id", new { id = ids[1] }); // r-b is on an issued invoice
        var v2 = SaveFixedCatalog(c);
        var from = Instant.FromUtc(2026, 11, 1, 0, 0);
        var to = Instant.FromUtc(2026, 12, 1, 0, 0);

        var dry = job.Rerate(from, to, null, dryRun: true);

        // At 0.30 a minute: 90 s = 0.45; 61 s = 0.305. Before 0.30 + 0.2034 = 0.5034; after 0.7550.
        var account = Assert.Single(dry.Accounts);
        Assert.Equal(("R-1", 2L, Gbp(0.5034m), Gbp(0.7550m), Gbp(0.2516m), 1L), (account.Account, account.Records, account.Before, account.After, account.Delta, account.Adjustments));
        Assert.Equal([("r-a", 0.30m, v1), ("r-b", 0.2034m, v1)], RatingData.Charges(c).Select(x => (x.RecordKey, x.Amount, x.CatalogVersion)));
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM rerate_adjustments"));

        var real = job.Rerate(from, to, null, dryRun: false);
        var again = job.Rerate(from, to, null, dryRun: false);

        Assert.Equal(Gbp(0.2516m), Assert.Single(real.Accounts).Delta);
        Assert.Equal([("r-a", 0.45m, v2), ("r-b", 0.2034m, v1)], RatingData.Charges(c).Select(x => (x.RecordKey, x.Amount, x.CatalogVersion)));
        var adjustment = c.QuerySingle<(long UsageId, long InvoiceId, decimal Old, decimal New, decimal Delta)>(
            "SELECT usage_id, invoice_id, old_amount, new_amount, delta FROM rerate_adjustments");
        Assert.Equal((ids[1], 77L, 0.2034m, 0.305m, 0.1016m), adjustment);
        var second = Assert.Single(again.Accounts);
        Assert.Equal((Gbp(0.7550m), Gbp(0.7550m), Gbp(0m), 0L), (second.Before, second.After, second.Delta, second.Adjustments));
        Assert.Equal(1, c.ExecuteScalar<int>("SELECT count(*) FROM rerate_adjustments"));
    }

    [Fact]
    public void Rerate_OnlyTouchesTheChosenAccount()
    {
        using var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        RatingData.AddSubscriber(c, "R-2", "447700900902", "uk_prepaid", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1, paymentType: PaymentType.Prepaid);
        RatingData.AddSubscriber(c, "R-3", "447700900903", "uk_prepaid", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1, paymentType: PaymentType.Prepaid);
        RatingData.InsertUsage(c, [
            UsageSpec.Voice("r2", "447700900902", "447700900123", Instant.FromUtc(2026, 11, 10, 10, 0), 60),
            UsageSpec.Voice("r3", "447700900903", "447700900123", Instant.FromUtc(2026, 11, 10, 10, 0), 60),
        ]);
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());
        job.RateAll(1000);
        SaveFixedCatalog(c);

        var result = job.Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), "R-3", dryRun: false);

        Assert.Equal(("R-3", Gbp(0.20m), Gbp(0.30m)), (Assert.Single(result.Accounts).Account, result.Accounts[0].Before, result.Accounts[0].After));
        Assert.Equal([("r2", 0.20m), ("r3", 0.30m)], RatingData.Charges(c).Select(x => (x.RecordKey, x.Amount)));
    }

    [Fact]
    public void A_re_rate_of_an_invoiced_charge_of_a_number_since_moved_to_another_account_records_the_difference_on_the_account_that_was_invoiced()
    {
        using var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        const string msisdn = "447700900904";
        var since = Instant.FromUtc(2026, 1, 1, 0, 0);
        RatingData.AddSubscriber(c, "R-A", msisdn, "uk_prepaid", since, billCycleDay: 1);
        var ids = RatingData.InsertUsage(c, [UsageSpec.Voice("m-a", msisdn, "447700900123", Instant.FromUtc(2026, 11, 10, 10, 0), 60)]);
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());
        job.RateAll(1000);
        c.Execute("UPDATE rated_charges SET invoice_id = 77 WHERE usage_id = @id", new { id = ids[0] }); // R-A's invoice billed it: 0.20
        // The accounts import now puts the number's period on account R-B.
        RatingData.AddSubscriber(c, "R-B", msisdn, "uk_prepaid", since, billCycleDay: 1);
        SaveFixedCatalog(c);

        var result = job.Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: false);

        // 60 s at 0.30 a minute: 0.30, 0.10 more than R-A was invoiced; R-A's next invoice carries it, not R-B's.
        Assert.Equal(("R-A", 77L, 0.100000m), c.QuerySingle<(string, long, decimal)>("SELECT account_id, invoice_id, delta FROM rerate_adjustments"));
        var account = Assert.Single(result.Accounts);
        Assert.Equal(("R-A", Gbp(0.20m), Gbp(0.30m), 1L), (account.Account, account.Before, account.After, account.Adjustments));
    }

    [Fact]
    public void A_re_rate_prices_an_invoiced_call_on_the_plan_it_was_rated_with_not_on_the_plan_the_accounts_import_since_put_its_period_on()
    {
        using var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        const string msisdn = "447700900905";
        var since = Instant.FromUtc(2026, 1, 1, 0, 0);
        RatingData.AddSubscriber(c, "R-P", msisdn, "uk_prepaid", since, billCycleDay: 1);
        var ids = RatingData.InsertUsage(c, [UsageSpec.Voice("p-a", msisdn, "447700900123", Instant.FromUtc(2026, 11, 10, 10, 0), 90)]);
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());
        job.RateAll(1000);
        c.Execute("UPDATE rated_charges SET invoice_id = 77 WHERE usage_id = @id", new { id = ids[0] }); // invoiced on uk_prepaid: 90 s at 0.20 = 0.30
        // The accounts import now says the same period (same start) is on another plan.
        RatingData.AddSubscriber(c, "R-P", msisdn, "uk_postpaid_300", since, billCycleDay: 1);
        SaveFixedCatalog(c);

        var result = job.Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: false);

        // The fix priced uk_prepaid's calls at 0.30 a minute: 90 s = 0.45, 0.15 more than invoiced, on the plan the call was made on.
        Assert.Equal((ids[0], 0.30m, 0.45m, 0.15m), c.QuerySingle<(long, decimal, decimal, decimal)>("SELECT usage_id, old_amount, new_amount, delta FROM rerate_adjustments"));
        var account = Assert.Single(result.Accounts);
        Assert.Equal(("R-P", Gbp(0.30m), Gbp(0.45m), 1L), (account.Account, account.Before, account.After, account.Adjustments));
    }

    [Fact]
    public void A_re_rate_of_a_number_the_accounts_import_moved_to_an_account_with_another_cycle_day_rates_its_open_calls_in_that_accounts_cycle_once_with_one_allowance()
    {
        using var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        const string msisdn = "447700900906";
        var since = Instant.FromUtc(2026, 1, 1, 0, 0);
        RatingData.AddSubscriber(c, "R-C", msisdn, "uk_postpaid_300", since, billCycleDay: 1);
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());
        RatingData.InsertUsage(c, [UsageSpec.Voice("c-x", msisdn, "447700900123", Instant.FromUtc(2026, 11, 10, 10, 0), 200 * 60)]);
        job.RateAll(1000); // R-C's cycle from 1 November: 200 of its 300 minutes
        // The accounts import puts the number's period on R-D, whose cycles start on the 5th; a later call is rated there.
        RatingData.AddSubscriber(c, "R-D", msisdn, "uk_postpaid_300", since, billCycleDay: 5);
        RatingData.InsertUsage(c, [UsageSpec.Voice("c-y", msisdn, "447700900123", Instant.FromUtc(2026, 11, 20, 10, 0), 200 * 60)]);
        job.RateAll(1000);

        job.Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: false);

        // Both calls are R-D's now, in its cycle from 5 November: one 300-minute allowance for the two, not one each.
        Assert.Equal(
            [("c-x", "R-D", new LocalDate(2026, 11, 5), 12000L), ("c-y", "R-D", new LocalDate(2026, 11, 5), 6000L)],
            RatingData.Charges(c).Select(x => (x.RecordKey, x.AccountId, x.CycleStart, x.AllowanceUsed)));
    }
}
