using Billing.Catalog;
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
}
