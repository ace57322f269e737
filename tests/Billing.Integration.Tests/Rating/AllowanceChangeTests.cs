using Billing.Catalog;
using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Storage;
using NodaTime;

namespace Billing.Integration.Tests.Rating;

public sealed class AllowanceChangeTests : IDisposable
{
    private readonly ScratchDatabase _scratch = new();
    private readonly TempDir _tmp = new();

    public void Dispose()
    {
        _scratch.Dispose();
        _tmp.Dispose();
    }

    [Fact]
    public void RateAll_KeepsRating_WhenANewCatalogueGrantsLessThanTheCycleAlreadyUsed()
    {
        using var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        const string msisdn = "447700900911";
        RatingData.AddSubscriber(c, "AC-1", msisdn, "uk_postpaid_300", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1);
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());
        // Saturday: uk_weekend, 1 s increments. 12,000 s of the 18,000 s (300 min) allowance.
        RatingData.InsertUsage(c, [UsageSpec.Voice("ac-a", msisdn, "442079460001", Instant.FromUtc(2026, 11, 7, 10, 0), 12_000)]);
        job.RateAll(1000);

        // From 15 November the bundle is 100 minutes (6,000 s): less than this cycle has used.
        var folder = _tmp.File("smaller");
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in CatalogSource.ReadFiles(RatingData.TemplateCatalog))
        {
            File.WriteAllText(Path.Combine(folder, name), name == "allowances.csv" ? content.Replace(",voice,300min,", ",voice,100min,", StringComparison.Ordinal) : content);
        }

        CatalogStore.Save(c, "smaller", CatalogSource.Native, CatalogChecksum.Of(folder), Instant.FromUtc(2026, 11, 15, 0, 0),
            CatalogSource.ReadFiles(folder), new Dictionary<string, string>(), "tests");
        RatingData.InsertUsage(c, [UsageSpec.Voice("ac-b", msisdn, "442079460001", Instant.FromUtc(2026, 11, 21, 10, 0), 60)]);

        var second = job.RateAll(1000);

        // Nothing left of the smaller bundle: 60 s at 0.03 a minute = 0.03.
        Assert.Equal((1L, 0L), (second.Rated, second.Held));
        Assert.Equal([("ac-a", 0m, 12_000L), ("ac-b", 0.03m, 0L)], RatingData.Charges(c).Select(x => (x.RecordKey, x.Amount, x.AllowanceUsed)));
        var sub = RatingData.SubscriptionId(c, msisdn, Instant.FromUtc(2026, 11, 21, 10, 0));
        Assert.Equal((12_000L, 12_000L), RatingData.Balances(c)[(sub, "uk_minutes", new LocalDate(2026, 11, 1))]);
    }

    [Fact]
    public void A_change_of_cycle_day_for_an_account_with_rated_usage_is_refused_so_no_second_cycle_overlaps_the_first_with_a_full_allowance()
    {
        using var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        const string msisdn = "447700900912";
        RatingData.AddSubscriber(c, "AC-2", msisdn, "uk_postpaid_300", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1);
        var job = new RateUsageJob(_scratch.Db, new CatalogCache());
        // Saturday 7 November: 12,000 s of the cycle's 18,000 s (300 min) allowance.
        RatingData.InsertUsage(c, [UsageSpec.Voice("ac-a", msisdn, "442079460001", Instant.FromUtc(2026, 11, 7, 10, 0), 12_000)]);
        job.RateAll(1000);

        // Cycle day 15 would make [15 Nov, 15 Dec) a cycle of its own, overlapping [1 Nov, 1 Dec), with 300 minutes more.
        var change = AccountStore.Import(c, [new AccountImportLine(2, new Account("AC-2", "Customer AC-2", "", null, "en", Currency.Of("GBP"), "Europe/London", PaymentType.Postpaid, 15, "UK", ""), null)]);
        RatingData.InsertUsage(c, [UsageSpec.Voice("ac-b", msisdn, "442079460001", Instant.FromUtc(2026, 11, 21, 10, 0), 12_000)]);
        job.RateAll(1000);

        Assert.Equal("account AC-2 has usage rated or an invoice issued in bill cycles from day 1: its cycle day cannot change to 15 (a cycle of the new day would overlap one of the old, each with its allowances)",
            Assert.Single(change.Errors).Message);
        Assert.Equal(1, AccountStore.Find(c, "AC-2")!.BillCycleDay);
        // Saturday 21 November: the 6,000 s left, then 6,000 s at 0.03 a minute = 3.00.
        Assert.Equal([("ac-a", 0m, 12_000L), ("ac-b", 3.00m, 6_000L)], RatingData.Charges(c).Select(x => (x.RecordKey, x.Amount, x.AllowanceUsed)));
    }
}
