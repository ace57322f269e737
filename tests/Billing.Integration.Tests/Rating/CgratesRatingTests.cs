using System.Text.Json;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Dapper;
using NodaTime;

namespace Billing.Integration.Tests.Rating;

/// <summary>
/// CGRateS plans through the whole path: imported with `billing catalog import-cgrates`, usage
/// rated in bulk, the same events priced by `billing price`. A plan written with national
/// prefixes (0723) meets E.164 usage; an event not priced says why, with the same reason code in
/// both paths.
/// </summary>
public sealed class CgratesRatingTests : IDisposable
{
    private readonly TempDir _work = new();
    private readonly ScratchDatabase _db = new();

    /// <summary>A Romanian operator's plan as its switch dials: national prefixes (0723, and a UK mobile's 07700), any time.</summary>
    private string Plan => WritePlan("plan", new()
    {
        ["Destinations.csv"] = "#Id,Prefix\nDST_RO_MOBILE,0723\nDST_UK_MOBILE,07700\n",
        ["Timings.csv"] = "",
        ["Rates.csv"] = "RT_MOBILE,0,0.06,60s,60s,0s\n",
        ["DestinationRates.csv"] = "DR_RO,DST_RO_MOBILE,RT_MOBILE,*up,4,0,\nDR_RO,DST_UK_MOBILE,RT_MOBILE,*up,4,0,\n",
        ["RatingPlans.csv"] = "RP_RO,DR_RO,*any,10\n",
    });

    /// <summary>RP_PEAK prices 40723 from 08:00 on weekdays only; subject 1001 is on it from 2014, and no one else.</summary>
    private string ReasonsPlan() => WritePlan("reasons", new()
    {
        ["Destinations.csv"] = "DST_RO_MOBILE,40723\n",
        ["Timings.csv"] = "PEAK,*any,*any,*any,1;2;3;4;5,08:00:00\n",
        ["Rates.csv"] = "RT_MOBILE,0,0.06,60s,60s,0s\n",
        ["DestinationRates.csv"] = "DR_RO,DST_RO_MOBILE,RT_MOBILE,*up,4,0,\n",
        ["RatingPlans.csv"] = "RP_PEAK,DR_RO,PEAK,10\n",
        ["RatingProfiles.csv"] = "cgrates.org,call,1001,2014-01-01T00:00:00Z,RP_PEAK,\n",
    });

    private string WritePlan(string name, Dictionary<string, string> files)
    {
        var folder = Directory.CreateDirectory(_work.File(name)).FullName;
        foreach (var (file, content) in files)
        {
            File.WriteAllText(Path.Combine(folder, file), content);
        }

        return folder;
    }

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

    [Fact]
    public void Bulk_rating_holds_an_event_with_the_reason_billing_price_gives_no_destination_rate_or_no_timing()
    {
        var plan = ReasonsPlan();
        Ok(BillingProcess.Run(_work.Path, "catalog", "import-cgrates", plan, "--currency", "GBP", "--effective", "2026-01-01", "--db", _db.Db.ConnectionString));
        using var c = _db.Db.Open();
        RatingData.AddSubscriber(c, "RO-1", "40744000001", "RP_PEAK", Instant.FromUtc(2026, 1, 1, 0, 0));
        RatingData.InsertUsage(c,
        [
            UsageSpec.Voice("france", "40744000001", "33123456789", Instant.FromUtc(2026, 3, 2, 10, 0), 61),
            UsageSpec.Voice("saturday", "40744000001", "40723123456", Instant.FromUtc(2026, 3, 7, 10, 0), 61),
            UsageSpec.Voice("monday", "40744000001", "40723123456", Instant.FromUtc(2026, 3, 2, 10, 0), 61),
        ]);

        var run = new RateUsageJob(_db.Db, new CatalogCache()).RateAll(RateUsageJob.DefaultRangeSize);
        var holds = c.Query<(string Key, string Reason)>("SELECT u.record_key, h.reason FROM rating_holds h JOIN usage u ON u.id = h.usage_id ORDER BY u.record_key").AsList();
        string Quote(string subject, string destination, string start)
        {
            var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "price", "--catalog", plan, "--cgrates", "--subject", subject,
                "--service", "voice", "--destination", destination, "--start", start, "--usage", "61", "--json");
            Assert.True(exit == 3, $"exit {exit}: {stderr}\n{stdout}");
            using var doc = JsonDocument.Parse(stdout);
            return doc.RootElement.GetProperty("reason").GetString()!;
        }

        // Monday 10:00 at 0.06 per started minute: 0.12.
        Assert.Equal((1L, 2L), (run.Rated, run.Held));
        Assert.Equal(0.12m, RatingData.Charge(c, "monday").Amount);
        Assert.Equal([("france", "no-tariff"), ("saturday", "no-timing")], holds);
        Assert.Equal("no-tariff", Quote("1001", "+33123456789", "2026-03-02T10:00:00Z"));
        Assert.Equal("no-timing", Quote("1001", "+40723123456", "2026-03-07T10:00:00Z"));
        Assert.Equal("no-rating-profile", Quote("9999", "+40723123456", "2026-03-02T10:00:00Z"));
    }

    private static string Ok((int Exit, string Out, string Err) run)
    {
        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}\n{run.Out}");
        return run.Out;
    }
}
