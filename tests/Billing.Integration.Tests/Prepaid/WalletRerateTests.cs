using Billing.Catalog;
using Billing.Core.Money;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Rating;
using Billing.Storage;
using Dapper;
using NodaTime;
using NodaTime.Testing;
using static Billing.Integration.Tests.Prepaid.PrepaidData;

namespace Billing.Integration.Tests.Prepaid;

public sealed class WalletRerateTests : IDisposable
{
    private const string Msisdn = "447700900109";
    private readonly ScratchDatabase _scratch = new();
    private readonly TempDir _tmp = new();

    public void Dispose()
    {
        _scratch.Dispose();
        _tmp.Dispose();
    }

    private void SaveCatalogWithMinuteAt(Npgsql.NpgsqlConnection c, string price)
    {
        var folder = _tmp.File("fixed-" + price);
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in CatalogSource.ReadFiles(RatingData.TemplateCatalog))
        {
            File.WriteAllText(Path.Combine(folder, name), name == "rates.csv" ? content.Replace("pp_voice,0,0.20,", $"pp_voice,0,{price},", StringComparison.Ordinal) : content);
        }

        CatalogStore.Save(c, "fixed-" + price, CatalogSource.Native, CatalogChecksum.Of(folder), Instant.FromUtc(2026, 11, 1, 0, 0), CatalogSource.ReadFiles(folder), new Dictionary<string, string>(), "tests");
    }

    /// <summary>The daily bill run of 2 December 2026, planned, drafted and approved in one batch; how many invoices it issued.</summary>
    private int IssueNovembersInvoices()
    {
        var bills = new BillRunJob(_scratch.Db, new CatalogCache(), new InvoicingOptions(), new FakeClock(Instant.FromUtc(2026, 12, 2, 6, 0)));
        var planned = bills.Plan(new LocalDate(2026, 12, 1), null, "tests");
        var batch = Assert.Single(planned.Batches);
        bills.DraftBatch(planned.Run.Id, batch.BatchNo);
        return bills.ApproveBatch(planned.Run.Id, batch.BatchNo).Issued;
    }

    [Fact]
    public void A_re_rate_of_prepaid_usage_in_a_cycle_a_prepaid_invoice_closed_goes_back_to_the_wallet_and_its_overdraft_not_to_an_adjustment()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 1.00m, Instant.FromUtc(2026, 11, 1, 8, 0), "GW-1");
        RatingData.InsertUsage(c, [Call("f-1", Msisdn, Instant.FromUtc(2026, 11, 2, 9, 0), 600)]); // 10 min at 0.20 = 2.00: 1.00 debited, 1.00 overdraft
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        // November's prepaid invoice bills the 1.00 overdraft (and closes the cycle).
        Assert.Equal(1, IssueNovembersInvoices());

        // The minute was meant to cost 0.05: 10 min = 0.50, which the 1.00 paid from the wallet covers.
        SaveCatalogWithMinuteAt(c, "0.05");
        new RateUsageJob(_scratch.Db, new CatalogCache()).Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: false);

        Assert.Equal([("topup", 1.00m), ("usage", -1.00m), ("rerate", 0.50m)], Ledger(c, Msisdn).Select(l => (l.Kind, l.Amount)));
        Assert.Equal([(1.00m, "barred"), (-1.00m, "rerate")], Overdraft(c, Msisdn).Select(o => (o.Amount, o.Reason)));
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM rerate_adjustments"));
        Assert.Equal(0.500000m, c.ExecuteScalar<decimal>("SELECT amount FROM rated_charges"));
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void A_re_rate_of_usage_a_postpaid_invoice_billed_stays_an_adjustment_after_the_account_turned_prepaid()
    {
        using var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Subscribed);
        RatingData.AddSubscriber(c, Account(Msisdn), Msisdn, "uk_prepaid", Subscribed, billCycleDay: 1, paymentType: Billing.Core.Accounts.PaymentType.Postpaid);
        RatingData.InsertUsage(c, [Call("f-1", Msisdn, Instant.FromUtc(2026, 11, 2, 9, 0), 600)]); // 10 min at 0.20 = 2.00, billed on November's invoice
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        Assert.Equal(1, IssueNovembersInvoices());

        // The account turns prepaid; then the minute is found to cost 0.05.
        c.Execute("UPDATE accounts SET payment_type = 'prepaid' WHERE id = @id", new { id = Account(Msisdn) });
        SaveCatalogWithMinuteAt(c, "0.05");
        new RateUsageJob(_scratch.Db, new CatalogCache()).Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: false);

        // The charge stays as the invoice billed it; the difference waits for the next invoice, not for a wallet.
        Assert.Equal(2.000000m, c.ExecuteScalar<decimal>("SELECT amount FROM rated_charges"));
        Assert.Equal(-1.500000m, c.ExecuteScalar<decimal>("SELECT delta FROM rerate_adjustments"));
        Assert.Empty(Ledger(c, Msisdn));
    }

    [Fact]
    public void A_re_rate_that_lowers_a_prepaid_charge_cancels_its_overdraft_first_then_credits_the_wallet_once()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        TopUp(_scratch.Db, Msisdn, 1.00m, Instant.FromUtc(2026, 11, 1, 8, 0), "GW-1");
        RatingData.InsertUsage(c, [Call("f-1", Msisdn, Instant.FromUtc(2026, 11, 2, 9, 0), 600)]); // 10 min at 0.20 = 2.00
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());
        job.RateAll(100);
        Assert.Equal([1.00m], Overdraft(c, Msisdn).Select(o => o.Amount));

        // The pay-as-you-go minute was meant to cost 0.05: 10 min = 0.50.
        var folder = _tmp.File("fixed");
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in CatalogSource.ReadFiles(RatingData.TemplateCatalog))
        {
            File.WriteAllText(Path.Combine(folder, name), name == "rates.csv" ? content.Replace("pp_voice,0,0.20,", "pp_voice,0,0.05,", StringComparison.Ordinal) : content);
        }

        CatalogStore.Save(c, "fixed", CatalogSource.Native, CatalogChecksum.Of(folder), Instant.FromUtc(2026, 11, 1, 0, 0), CatalogSource.ReadFiles(folder), new Dictionary<string, string>(), "tests");
        var dry = new RateUsageJob(_scratch.Db, new CatalogCache()).Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: true);
        Assert.Equal(2, Ledger(c, Msisdn).Count);
        new RateUsageJob(_scratch.Db, new CatalogCache()).Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: false);
        new RateUsageJob(_scratch.Db, new CatalogCache()).Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: false);

        Assert.Equal(Money.Of(-1.50m, "GBP"), Assert.Single(dry.Accounts).Delta);
        Assert.Equal([("topup", 1.00m), ("usage", -1.00m), ("rerate", 0.50m)], Ledger(c, Msisdn).Select(l => (l.Kind, l.Amount)));
        Assert.Equal([(1.00m, "barred"), (-1.00m, "rerate")], Overdraft(c, Msisdn).Select(o => (o.Amount, o.Reason)));
        Assert.Equal(0.50m, Balance(c, Msisdn));
        Assert.Null(BarredSince(c, Msisdn));
        Assert.Empty(WalletStore.Overdraft(c, null));
        Assert.Empty(WalletStore.Check(c));
    }

    [Fact]
    public void A_re_rate_that_prices_a_free_prepaid_call_of_a_cycle_a_prepaid_invoice_closed_takes_it_from_the_wallet_not_an_adjustment()
    {
        using var c = _scratch.Db.Open();
        Prepare(c, Msisdn);
        SaveCatalogWithMinuteAt(c, "0.00"); // UK minutes free from November
        TopUp(_scratch.Db, Msisdn, 1.00m, Instant.FromUtc(2026, 11, 1, 8, 0), "GW-1");
        RatingData.InsertUsage(c, [
            Call("free", Msisdn, Instant.FromUtc(2026, 11, 2, 9, 0), 600), // 0.00: no wallet posting
            UsageSpec.Voice("intl", Msisdn, "33123456789", Instant.FromUtc(2026, 11, 3, 9, 0), 60), // 1.50: 1.00 debited, 0.50 overdraft
        ]);
        new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(100);
        Assert.Equal(1, IssueNovembersInvoices()); // bills the 0.50 overdraft, closes November

        // The free minutes were a mistake: 0.20 a minute, 10 min = 2.00, owed by the wallet (empty: its overdraft).
        SaveCatalogWithMinuteAt(c, "0.20");
        new RateUsageJob(_scratch.Db, new CatalogCache()).Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: false);

        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM rerate_adjustments"));
        Assert.Equal([("free", 2.00m), ("intl", 1.50m)], RatingData.Charges(c).Select(x => (x.RecordKey, x.Amount)));
        Assert.Equal(2.50m, Overdraft(c, Msisdn).Sum(o => o.Amount));
        Assert.Empty(WalletStore.Check(c));
    }
}
