using System.Text.Json;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Rating;
using Dapper;
using NodaTime;

namespace Billing.Integration.Tests.Rating;

/// <summary>
/// A CGRateS plan written with national prefixes (0723), imported under a numbering plan: bulk
/// rating of usage stored in E.164 and `billing price` with a national number meet the same
/// prefix and the same amount.
/// </summary>
public sealed class CgratesNumberingTests : IDisposable
{
    private readonly TempDir _work = new();
    private readonly ScratchDatabase _db = new();

    public CgratesNumberingTests()
    {
        var plan = Directory.CreateDirectory(_work.File("plan")).FullName;
        File.WriteAllText(Path.Combine(plan, "Destinations.csv"), "#Id,Prefix\nDST_RO_MOBILE,0723\nDST_UK_MOBILE,07700\n");
        File.WriteAllText(Path.Combine(plan, "Timings.csv"), "");
        File.WriteAllText(Path.Combine(plan, "Rates.csv"), "RT_MOBILE,0,0.06,60s,60s,0s\n");
        File.WriteAllText(Path.Combine(plan, "DestinationRates.csv"), "DR_RO,DST_RO_MOBILE,RT_MOBILE,*up,4,0,\nDR_RO,DST_UK_MOBILE,RT_MOBILE,*up,4,0,\n");
        File.WriteAllText(Path.Combine(plan, "RatingPlans.csv"), "RP_RO,DR_RO,*any,10\n");
    }

    private string Plan => _work.File("plan");

    public void Dispose()
    {
        _db.Dispose();
        _work.Dispose();
    }

    [Fact]
    public void A_national_prefix_imported_with_a_country_code_prices_E164_usage_in_bulk_as_billing_price_prices_the_national_number()
    {
        Ok(BillingProcess.Run(_work.Path, "catalog", "import-cgrates", Plan, "--country-code", "40", "--currency", "GBP", "--effective", "2026-01-01", "--db", _db.Db.ConnectionString));
        using var c = _db.Db.Open();
        RatingData.AddSubscriber(c, "RO-1", "40744000001", "RP_RO", Instant.FromUtc(2026, 1, 1, 0, 0));
        RatingData.InsertUsage(c, [UsageSpec.Voice("ro-1", "40744000001", "40723123456", Instant.FromUtc(2026, 3, 2, 9, 0), 61)]);

        var run = new RateUsageJob(_db.Db, new CatalogCache()).RateAll(RateUsageJob.DefaultRangeSize);
        using var quote = JsonDocument.Parse(Ok(BillingProcess.Run(_work.Path, "price", "--catalog", Plan, "--cgrates", "--plan", "RP_RO", "--country-code", "40",
            "--service", "voice", "--destination", "0723123456", "--start", "2026-03-02T09:00:00Z", "--usage", "61", "--json")));

        // 61 s at 0.06 per started minute: 2 minutes = 0.12, by the prefix 0723 read as 40723.
        var numbering = c.QuerySingle<(string, string, string)>("SELECT options->>'countryCode', options->>'trunkPrefix', options->>'internationalPrefixes' FROM catalog_versions");
        Assert.Equal(("40", "0", "00"), numbering); // the given country code, the configured trunk and international prefixes
        Assert.Equal((1L, 0L), (run.Rated, run.Held));
        var stored = RatingData.Charge(c, "ro-1");
        Assert.Equal((0.12m, "DST_RO_MOBILE"), (stored.Amount, stored.DestinationGroup));
        Assert.Equal(("0.12", "40723"), (quote.RootElement.GetProperty("cost").GetString(), quote.RootElement.GetProperty("matchedPrefix").GetString()));
    }

    [Fact]
    public void Without_a_country_code_the_import_reads_national_prefixes_under_the_configured_numbering_plan()
    {
        using var quote = JsonDocument.Parse(Ok(BillingProcess.Run(_work.Path, "price", "--catalog", Plan, "--cgrates", "--plan", "RP_RO",
            "--service", "voice", "--destination", "+447700900123", "--start", "2026-03-02T09:00:00Z", "--usage", "30", "--json")));

        // The shipped configuration is the UK's (44, trunk 0): 07700 → 447700. 30 s = one started minute = 0.06.
        Assert.Equal(("0.06", "447700"), (quote.RootElement.GetProperty("cost").GetString(), quote.RootElement.GetProperty("matchedPrefix").GetString()));
        Assert.Equal("DST_UK_MOBILE", quote.RootElement.GetProperty("destinationGroup").GetString());
    }

    private static string Ok((int Exit, string Out, string Err) run)
    {
        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}\n{run.Out}");
        return run.Out;
    }
}
