using Billing.Catalog;
using Billing.Catalog.Cgrates;
using Billing.Core.Catalog;
using NodaTime;

namespace Billing.Core.Tests.Catalog;

public class CgratesImporterTests
{
    private static readonly string Tutorial = Path.Combine(RepositoryRoot.Find(), "tests", "Billing.Core.Tests", "Catalog", "cgrates-tutorial");

    private static TariffCatalog Import()
    {
        var result = CgratesImporter.Load(Tutorial, new CgratesImportOptions { Version = "tutorial", Currency = "EUR", TimeZone = "Europe/Berlin" });
        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        return result.Catalog!;
    }

    [Fact]
    public void Load_Tutorial_MakesOnePlanPerRatingPlan_WithTheSameEntriesForEveryService()
    {
        var catalog = Import();

        Assert.Equal(["RP_RETAIL1", "RP_RETAIL2", "RP_SPECIAL_1002"], catalog.Plans.Keys.Order(StringComparer.Ordinal));
        var retail1 = catalog.Plans["RP_RETAIL1"];
        Assert.Equal(("EUR", "Europe/Berlin"), (retail1.Currency, retail1.TimeZone));
        PriceEntry[] expected =
        [
            new("DST_FS", "PEAK", 10m, "DR_FS_40CNT/RT_40CNT"),
            new("DST_FS", "OFFPEAK_MORNING", 10m, "DR_FS_10CNT/RT_10CNT"),
            new("DST_FS", "OFFPEAK_EVENING", 10m, "DR_FS_10CNT/RT_10CNT"),
            new("DST_FS", "OFFPEAK_WEEKEND", 10m, "DR_FS_10CNT/RT_10CNT"),
            new("DST_1007", "ALWAYS", 10m, "DR_1007_MAXCOST_DISC/RT_1CNT_PER_SEC"),
        ];
        Assert.Equal(expected, retail1.Voice);
        Assert.Equal(expected, retail1.Sms);
        Assert.Equal(expected, retail1.Data);
        Assert.Equal(13, catalog.Plans["RP_RETAIL2"].Voice.Count);
        Assert.Equal([new PriceEntry("DST_1002", "ALWAYS", 10m, "DR_SPECIAL_1002/RT_1CNT")], catalog.Plans["RP_SPECIAL_1002"].Voice);
    }

    [Fact]
    public void Load_Tutorial_TurnsRateSlotsIntoExactSteps()
    {
        var catalog = Import();

        Assert.Equal(12, catalog.Rates.Count);
        var peak = catalog.Rates["DR_FS_40CNT/RT_40CNT"];
        Assert.Equal(0.8m, peak.ConnectFee);
        Assert.Equal([new RateStep(0, 0.4m, 60, 30), new RateStep(60, 0.2m, 60, 10)], peak.Steps);
        Assert.Equal((RoundingMethod.Up, 4, 0m), (peak.Rounding, peak.RoundingDecimals, peak.MaxCost));
        var offPeak = catalog.Rates["DR_FS_10CNT/RT_10CNT"];
        Assert.Equal(0.2m, offPeak.ConnectFee);
        Assert.Equal([new RateStep(0, 0.1m, 60, 60), new RateStep(60, 0.05m, 60, 1)], offPeak.Steps);
        var disconnect = catalog.Rates["DR_1007_MAXCOST_DISC/RT_1CNT_PER_SEC"];
        Assert.Equal([new RateStep(0, 0.01m, 1, 1)], disconnect.Steps);
        Assert.Equal((0.62m, MaxCostStrategy.Disconnect), (disconnect.MaxCost, disconnect.MaxCostStrategy));
        Assert.Equal((0.62m, MaxCostStrategy.Free), (catalog.Rates["DR_1007_MAXCOST_FREE/RT_1CNT_PER_SEC"].MaxCost, catalog.Rates["DR_1007_MAXCOST_FREE/RT_1CNT_PER_SEC"].MaxCostStrategy));
        Assert.Equal([("49151", "DST_DE_MOBILE")], catalog.Destinations.Matches("4915112345"));
        Assert.Equal([("1002", "DST_1002"), ("10", "DST_FS")], catalog.Destinations.Matches("1002"));
    }

    [Fact]
    public void Load_Tutorial_EndsEachTimingWhereTheNextOneStarts_AsCgratesSelectsIntervals()
    {
        var timings = Import().Timings;

        IsoDayOfWeek[] weekdays = [IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday];
        Assert.Equal((new LocalTime(8, 0), (LocalTime?)new LocalTime(19, 0)), (timings["PEAK"].Start, timings["PEAK"].End));
        Assert.Equal(weekdays, timings["PEAK"].WeekDays!.Order());
        Assert.Equal((LocalTime.Midnight, (LocalTime?)new LocalTime(8, 0)), (timings["OFFPEAK_MORNING"].Start, timings["OFFPEAK_MORNING"].End));
        Assert.Equal((new LocalTime(19, 0), (LocalTime?)null), (timings["OFFPEAK_EVENING"].Start, timings["OFFPEAK_EVENING"].End));
        Assert.Null(timings["OFFPEAK_WEEKEND"].End);
        Assert.Equal([IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday], timings["OFFPEAK_WEEKEND"].WeekDays!.Order());
        Assert.Null(timings["ALWAYS"].WeekDays);
        Assert.Null(timings["ALWAYS"].End);
    }

    [Fact]
    public void Resolve_TakesTheLatestActivation_ThenFallbacks_AnyOnlyForAnUnknownSubject_AndSurvivesCycles()
    {
        var catalog = Import();
        var y2015 = Instant.FromUtc(2015, 1, 1, 0, 0);
        var y2012 = Instant.FromUtc(2012, 1, 1, 0, 0);

        Assert.Equal("RP_RETAIL2", RatingProfiles.Resolve(catalog, "cgrates.org", "call", "1001", y2015));
        Assert.Equal("RP_RETAIL1", RatingProfiles.Resolve(catalog, "cgrates.org", "call", "1001", y2012));
        Assert.Equal("RP_RETAIL1", RatingProfiles.Resolve(catalog, "cgrates.org", "call", "9999", y2015));
        Assert.Null(RatingProfiles.Resolve(catalog, "cgrates.org", "call", "9999", y2012));
        Assert.Null(RatingProfiles.Resolve(catalog, "other.org", "call", "1001", y2015));
        Assert.Equal("RP_SPECIAL_1002", RatingProfiles.Resolve(catalog, "cgrates.org", "call", "SPECIAL_1002", y2015));
        Assert.Equal("RP_RETAIL2", RatingProfiles.Resolve(catalog, "cgrates.org", "call", "SPECIAL_1002", y2015, plan => plan != "RP_SPECIAL_1002"));
        Assert.Null(RatingProfiles.Resolve(catalog, "cgrates.org", "call", "LOOP_A", y2015, plan => plan != "RP_SPECIAL_1002")); // a known subject never falls to *any
        Assert.Null(RatingProfiles.Resolve(catalog, "cgrates.org", "call", "LOOP_A", y2015, _ => false));
        var profile = catalog.RatingProfiles.Single(p => p.Subject == "SPECIAL_1002");
        Assert.Equal(["1001"], profile.FallbackSubjects);
        Assert.Equal(Instant.FromUtc(2014, 1, 14, 0, 0), profile.ActivationTime);
    }

    [Fact]
    public void Load_BrokenTariffPlan_ReportsEveryErrorWithFileAndLine()
    {
        var files = new Dictionary<string, string>
        {
            ["Destinations.csv"] = "#Id,Prefix\nDST_A,12x\n",
            ["Timings.csv"] = "#Tag,Years,Months,MonthDays,WeekDays,Time\nT1,*any,*any,*any,1;9,08:00:00\n",
            ["Rates.csv"] = "RT_A,0,0.1,60s,0s,0s\nRT_B,0,0.1,60s,1s,30s\n",
            ["DestinationRates.csv"] = "DR_A,DST_NONE,RT_B,*sideways,4,0,\n",
            ["RatingPlans.csv"] = "RP_A,DR_A,NO_TIMING,10\n",
        };

        var result = CgratesImporter.Load(files, new CgratesImportOptions { Version = "x", Currency = "XXX" });

        Assert.Null(result.Catalog);
        string[] expected =
        [
            "options: currency 'XXX' is not a known ISO 4217 code",
            "Destinations.csv:2: destination 'DST_A' prefix '12x' is not a string of digits",
            "Timings.csv:2: WeekDays '1;9': '9' is not a number within 0..7",
            "Rates.csv:1: RateIncrement '0s' is not a positive duration in whole seconds (e.g. 60s, 1m, 1h30m)",
            "Rates.csv:2: rate 'RT_B' has no slot at GroupIntervalStart 0",
            "DestinationRates.csv:1: destination 'DST_NONE' is not in Destinations.csv",
            "DestinationRates.csv:1: rates tag 'RT_B' is not in Rates.csv (or has errors there)",
            "DestinationRates.csv:1: RoundingMethod '*sideways' must be *up, *middle or *down",
            "RatingPlans.csv:1: destination rates 'DR_A' is not in DestinationRates.csv (or has errors there)",
            "RatingPlans.csv:1: timing 'NO_TIMING' is not in Timings.csv (or has errors there)",
        ];
        Assert.Equal(expected, result.Errors.Select(e => e.ToString()));
    }

    /// <summary>
    /// The engine refuses a negative connect fee or price as a loader's bug (Rater's constructor throws): the import reports
    /// them as errors with their lines, so no such version is stored for every rating run to fail on.
    /// </summary>
    [Fact]
    public void Load_NegativeConnectFeeOrRate_IsAnErrorWithItsLine_NotAVersionTheEngineRefuses()
    {
        var files = new Dictionary<string, string>
        {
            ["Destinations.csv"] = "DST_A,49\n",
            ["Timings.csv"] = "",
            ["Rates.csv"] = "RT_A,-0.10,0.1,60s,1s,0s\nRT_B,0,-0.1,60s,1s,0s\n",
            ["DestinationRates.csv"] = "DR_A,DST_A,RT_A,*up,4,0,\nDR_B,DST_A,RT_B,*up,4,0,\n",
            ["RatingPlans.csv"] = "RP_A,DR_A,*any,10\nRP_B,DR_B,*any,10\n",
        };

        var result = CgratesImporter.Load(files, new CgratesImportOptions { Version = "x" });

        Assert.Null(result.Catalog);
        Assert.Equal(
            ["Rates.csv:1: ConnectFee '-0.10' is not a non-negative decimal number", "Rates.csv:2: Rate '-0.1' is not a non-negative decimal number"],
            result.Errors.Where(e => e.ToString().StartsWith("Rates.csv", StringComparison.Ordinal)).Select(e => e.ToString()));
    }

    [Fact]
    public void Load_TimingEndingDifferentlyInTwoPlaces_BecomesTwoTimings()
    {
        var files = new Dictionary<string, string>
        {
            ["Destinations.csv"] = "DST_A,1\nDST_B,2\n",
            ["Timings.csv"] = "DAY,*any,*any,*any,*any,08:00:00\nEVENING,*any,*any,*any,*any,18:00:00\nNIGHT,*any,*any,*any,*any,20:00:00\n",
            ["Rates.csv"] = "RT,0,0.1,60s,1s,0s\n",
            ["DestinationRates.csv"] = "DR_A,DST_A,RT,*up,4,0,\nDR_B,DST_B,RT,*up,4,0,\n",
            ["RatingPlans.csv"] = "RP,DR_A,DAY,10\nRP,DR_A,EVENING,10\nRP,DR_B,DAY,10\nRP,DR_B,NIGHT,10\n",
        };

        var result = CgratesImporter.Load(files, new CgratesImportOptions { Version = "x" });

        Assert.Empty(result.Errors);
        var catalog = result.Catalog!;
        Assert.Equal(new LocalTime(18, 0), catalog.Timings["DAY@18:00:00"].End);
        Assert.Equal(new LocalTime(20, 0), catalog.Timings["DAY@20:00:00"].End);
        Assert.Equal(
            ["DST_A DAY@18:00:00", "DST_A EVENING", "DST_B DAY@20:00:00", "DST_B NIGHT"],
            catalog.Plans["RP"].Voice.Select(e => $"{e.DestinationGroup} {e.TimingId}"));
        Assert.Equal(("EUR", "UTC"), (catalog.Plans["RP"].Currency, catalog.Plans["RP"].TimeZone));
    }

    [Fact]
    public void A_tariff_plan_read_from_its_files_contents_prices_as_the_folder_does()
    {
        var files = CatalogSource.ReadFiles(Tutorial);
        var options = new CgratesImportOptions { Version = "tutorial", Currency = "EUR", TimeZone = "Europe/Berlin" };
        var fromFolder = CgratesImporter.Load(Tutorial, options).Catalog!;
        var fromContents = CgratesImporter.Load(files, options).Catalog!;

        // 125 s to 1002 in RP_RETAIL2 on a Monday 10:00 Berlin (PEAK, RT_20CNT): 0.40 connect + 0.20 for the first
        // 60 s + 65 s at 0.10/min per second (0.108333…) = 0.708333…, rounded *up to 4 decimals.
        var call = new Billing.Core.Rating.RatingRequest(Billing.Core.Usage.ServiceType.Voice, "1002", Instant.FromUtc(2015, 3, 2, 9, 0), 125);
        Assert.Equal(CatalogPrinter.Summary(fromFolder), CatalogPrinter.Summary(fromContents));
        Assert.Equal(0.7084m, new Billing.Core.Rating.Rater(fromFolder).Rate("RP_RETAIL2", call, null).Charge!.Amount);
        Assert.Equal(0.7084m, new Billing.Core.Rating.Rater(fromContents).Rate("RP_RETAIL2", call, null).Charge!.Amount);
    }

    [Theory]
    // RT_60_1: 0.0125 a minute per second. 130 s = 0.027083…; each destination rounds by its own DestinationRates row.
    [InlineData("40721234567", "DR_RETAIL/RT_60_1@DST_A", "0.03")] // *middle, 2 decimals
    [InlineData("40211234567", "DR_RETAIL/RT_60_1@DST_B", "0.02")] // *down, 2 decimals
    [InlineData("40311234567", "DR_RETAIL/RT_60_1@DST_C", "0.02")] // *up, 4 decimals = 0.0271, capped *free at 0.02
    [InlineData("40411234567", "DR_OTHER/RT_60_1", "0.1")] // another Id binding the same tag: *up, 1 decimal
    public void One_rates_tag_bound_with_different_rounding_or_max_cost_prices_each_destination_by_its_own_row(string number, string rateId, string amount)
    {
        var files = new Dictionary<string, string>
        {
            ["Destinations.csv"] = "DST_A,4072\nDST_B,4021\nDST_C,4031\nDST_D,4041\n",
            ["Timings.csv"] = "",
            ["Rates.csv"] = "RT_60_1,0,0.0125,60s,1s,0s\n",
            ["DestinationRates.csv"] = "DR_RETAIL,DST_A,RT_60_1,*middle,2,0,\nDR_RETAIL,DST_B,RT_60_1,*down,2,0,\nDR_RETAIL,DST_C,RT_60_1,*up,4,0.02,*free\nDR_OTHER,DST_D,RT_60_1,*up,1,0,\n",
            ["RatingPlans.csv"] = "RP,DR_RETAIL,*any,10\nRP,DR_OTHER,*any,10\n",
        };

        var result = CgratesImporter.Load(files, new CgratesImportOptions { Version = "x" });
        var charge = new Billing.Core.Rating.Rater(result.Catalog!).Rate("RP", new(Billing.Core.Usage.ServiceType.Voice, number, Instant.FromUtc(2026, 3, 2, 9, 0), 130), null).Charge!;

        Assert.Empty(result.Errors);
        Assert.Equal(["DR_OTHER/RT_60_1", "DR_RETAIL/RT_60_1@DST_A", "DR_RETAIL/RT_60_1@DST_B", "DR_RETAIL/RT_60_1@DST_C"], result.Catalog!.Rates.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(rateId, Assert.Single(charge.Parts).RateId);
        Assert.Equal(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), charge.Amount);
    }

    [Fact]
    public void One_rates_tag_bound_alike_to_several_destinations_stays_one_rate()
    {
        var files = new Dictionary<string, string>
        {
            ["Destinations.csv"] = "DST_A,4072\nDST_B,4021\n",
            ["Timings.csv"] = "",
            ["Rates.csv"] = "RT_60_1,0,0.0125,60s,1s,0s\n",
            ["DestinationRates.csv"] = "DR_RETAIL,DST_A,RT_60_1,*up,4,0,\nDR_RETAIL,DST_B,RT_60_1,*up,4,0,\nDR_RETAIL,DST_B,RT_60_1,*down,4,0,\n",
            ["RatingPlans.csv"] = "RP,DR_RETAIL,*any,10\n",
        };

        var result = CgratesImporter.Load(files, new CgratesImportOptions { Version = "x" });

        Assert.Equal(["DestinationRates.csv:3: 'DR_RETAIL' already prices destination 'DST_B'"], result.Errors.Select(e => e.ToString()));
        files["DestinationRates.csv"] = "DR_RETAIL,DST_A,RT_60_1,*up,4,0,\nDR_RETAIL,DST_B,RT_60_1,*up,4,0,\n";
        Assert.Equal(["DR_RETAIL/RT_60_1"], CgratesImporter.Load(files, new CgratesImportOptions { Version = "x" }).Catalog!.Rates.Keys);
    }

    private static readonly PrefixNumbering Romania = new("40", "0", ["00"]);

    /// <summary>A Romanian operator's plan written as its switch dials: national prefixes, one '+', one 00, one short code.</summary>
    private static Dictionary<string, string> NationalPlan() => new()
    {
        ["Destinations.csv"] = "DST_RO_MOBILE,0723\nDST_RO_MOBILE,0724\nDST_RO_FIXED,0256\nDST_DE,+49\nDST_AT,0043\nDST_SHORT,1002\n",
        ["Timings.csv"] = "",
        ["Rates.csv"] = "RT_MOBILE,0,0.06,60s,60s,0s\nRT_FIXED,0,0.03,60s,1s,0s\nRT_INTL,0.10,0.30,60s,60s,0s\n",
        ["DestinationRates.csv"] = "DR_RO,DST_RO_MOBILE,RT_MOBILE,*up,4,0,\nDR_RO,DST_RO_FIXED,RT_FIXED,*up,4,0,\nDR_RO,DST_DE,RT_INTL,*up,4,0,\nDR_RO,DST_AT,RT_INTL,*up,4,0,\nDR_RO,DST_SHORT,RT_FIXED,*up,4,0,\n",
        ["RatingPlans.csv"] = "RP_RO,DR_RO,*any,10\n",
    };

    [Theory]
    [InlineData("40723123456", "DST_RO_MOBILE", "40723", "0.12")] // 0723: 61 s at 0.06 per started minute = 0.12
    [InlineData("40256123456", "DST_RO_FIXED", "40256", "0.0305")] // 0256: 61 s at 0.03 a minute per second = 0.0305
    [InlineData("4930123456", "DST_DE", "49", "0.70")] // +49: 0.10 connect + 2 started minutes at 0.30
    [InlineData("43123456789", "DST_AT", "43", "0.70")] // 0043: international, the access prefix dropped
    [InlineData("1002", "DST_SHORT", "1002", "0.0305")] // a short code stays as written
    public void National_prefixes_imported_under_the_numbering_plan_match_E164_numbers(string number, string destination, string prefix, string amount)
    {
        var result = CgratesImporter.Load(NationalPlan(), new CgratesImportOptions { Version = "ro", Numbering = Romania });
        var charge = new Billing.Core.Rating.Rater(result.Catalog!).Rate("RP_RO", new(Billing.Core.Usage.ServiceType.Voice, number, Instant.FromUtc(2026, 3, 2, 9, 0), 61), null).Charge!;

        Assert.Equal((destination, prefix), (charge.DestinationGroup, charge.MatchedPrefix));
        Assert.Equal(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), charge.Amount);
        Assert.Equal(
            ["Destinations.csv:1: 4 prefix(es) in national or international form read as E.164 under country code 40, trunk prefix '0' (e.g. 0723 → 40723)"],
            result.Warnings.Select(w => w.ToString()));
    }

    [Fact]
    public void Without_a_numbering_plan_national_prefixes_stay_as_written_and_an_E164_number_finds_no_destination()
    {
        var catalog = CgratesImporter.Load(NationalPlan(), new CgratesImportOptions { Version = "ro" }).Catalog!;

        var outcome = new Billing.Core.Rating.Rater(catalog).Rate("RP_RO", new(Billing.Core.Usage.ServiceType.Voice, "40723123456", Instant.FromUtc(2026, 3, 2, 9, 0), 61), null);

        Assert.Contains(("0723", "DST_RO_MOBILE"), catalog.Destinations.Entries);
        Assert.Equal(Billing.Core.Rating.HoldReasons.NoTariff, outcome.FailureReason);
    }

    [Fact]
    public void A_stored_version_reads_its_prefixes_under_the_numbering_plan_stored_with_it_and_an_older_one_as_written()
    {
        var stored = CatalogSource.WithNumbering(new Dictionary<string, string> { ["countryCode"] = "40" }, new PrefixNumbering("44", "0", ["00", "011"]));
        var withPlan = CatalogSource.LoadFiles(CatalogSource.Cgrates, "ro", NationalPlan(), stored).Catalog!;
        var older = CatalogSource.LoadFiles(CatalogSource.Cgrates, "ro", NationalPlan(), new Dictionary<string, string>()).Catalog!;

        Assert.Equal(new Dictionary<string, string> { ["countryCode"] = "40", ["trunkPrefix"] = "0", ["internationalPrefixes"] = "00;011" }, stored);
        Assert.Equal([("40723", "DST_RO_MOBILE")], withPlan.Destinations.Matches("40723123456"));
        Assert.Empty(older.Destinations.Matches("40723123456"));
        Assert.Equal([("0723", "DST_RO_MOBILE")], older.Destinations.Matches("0723123456"));
    }

    [Fact]
    public void A_numbering_plan_that_is_not_digits_is_refused_with_the_options()
    {
        var result = CgratesImporter.Load(NationalPlan(), new CgratesImportOptions { Version = "ro", Numbering = new PrefixNumbering("4x", "0", ["00"]) });

        Assert.Equal(["options: country code '4x' must be 1–3 digits"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Candidates_are_the_subjects_plan_then_its_fallbacks_three_subjects_deep_and_any_only_for_an_unknown_subject()
    {
        var catalog = Import();
        var y2015 = Instant.FromUtc(2015, 1, 1, 0, 0);

        Assert.Equal(["RP_SPECIAL_1002", "RP_RETAIL2"], RatingProfiles.Candidates(catalog, "cgrates.org", "call", "SPECIAL_1002", y2015));
        Assert.Equal(["RP_SPECIAL_1002", "RP_SPECIAL_1002", "RP_SPECIAL_1002"], RatingProfiles.Candidates(catalog, "cgrates.org", "call", "LOOP_A", y2015));
        Assert.Equal(["RP_RETAIL1"], RatingProfiles.Candidates(catalog, "cgrates.org", "call", "9999", y2015));
        Assert.Empty(RatingProfiles.Candidates(catalog, "cgrates.org", "call", "9999", Instant.FromUtc(2012, 1, 1, 0, 0)));
    }

    /// <summary>
    /// RP_PEAK prices 40723 from 08:00 on weekdays only (till midnight); RP_DE prices only 49. 1001 is on RP_PEAK from
    /// 2014; 1002 on RP_DE with 1001 as its fallback; no "*any" profile.
    /// </summary>
    private static TariffCatalog ReasonsPlan() => CgratesImporter.Load(new Dictionary<string, string>
    {
        ["Destinations.csv"] = "DST_RO_MOBILE,40723\nDST_DE,49\n",
        ["Timings.csv"] = "PEAK,*any,*any,*any,1;2;3;4;5,08:00:00\n",
        ["Rates.csv"] = "RT_MOBILE,0,0.06,60s,60s,0s\n",
        ["DestinationRates.csv"] = "DR_RO,DST_RO_MOBILE,RT_MOBILE,*up,4,0,\nDR_DE,DST_DE,RT_MOBILE,*up,4,0,\n",
        ["RatingPlans.csv"] = "RP_PEAK,DR_RO,PEAK,10\nRP_DE,DR_DE,PEAK,10\n",
        ["RatingProfiles.csv"] = "cgrates.org,call,1001,2014-01-01T00:00:00Z,RP_PEAK,\ncgrates.org,call,1002,2014-01-01T00:00:00Z,RP_DE,1001\n",
    }, new CgratesImportOptions { Version = "reasons" }).Catalog!;

    [Theory]
    [InlineData("9999", "40723123456", "2026-03-02T10:00:00Z", "no-rating-profile", "No rating profile of subject '9999' (tenant cgrates.org, category call), its fallback subjects or *any is active at 2026-03-02T10:00:00Z.")]
    [InlineData("1001", "40723123456", "2013-03-04T10:00:00Z", "no-rating-profile", "No rating profile of subject '1001' (tenant cgrates.org, category call), its fallback subjects or *any is active at 2013-03-04T10:00:00Z.")]
    [InlineData("1001", "33123456789", "2026-03-02T10:00:00Z", "no-tariff", "Plan 'RP_PEAK' prices no voice destination for '33123456789' and has no \"*any\" entry.")]
    [InlineData("1001", "40723123456", "2026-03-07T10:00:00Z", "no-timing", "Plan 'RP_PEAK' has no entry for 'DST_RO_MOBILE' holding at 2026-03-07T10:00:00 UTC.")]
    [InlineData("1002", "33123456789", "2026-03-02T10:00:00Z", "no-tariff", "Plan 'RP_DE' prices no voice destination for '33123456789' and has no \"*any\" entry. Fallback plans: RP_PEAK (no-tariff).")]
    public void An_event_not_priced_says_whether_no_profile_no_destination_rate_or_no_timing_is_why(string subject, string number, string start, string reason, string detail)
    {
        var catalog = ReasonsPlan();
        var request = new Billing.Core.Rating.RatingRequest(Billing.Core.Usage.ServiceType.Voice, number, NodaTime.Text.InstantPattern.General.Parse(start).Value, 61);

        var (plan, outcome) = RatingProfiles.Price(catalog, new Billing.Core.Rating.Rater(catalog), "cgrates.org", "call", subject, request);

        Assert.Null(plan);
        Assert.Equal((reason, detail), (outcome.FailureReason, outcome.FailureDetail));
    }

    [Theory]
    [InlineData("1001")]
    [InlineData("1002")] // RP_DE has no rate for 40723: its fallback 1001's plan prices it
    public void A_subjects_event_is_priced_by_the_first_plan_with_a_rate_for_it(string subject)
    {
        var catalog = ReasonsPlan();
        var request = new Billing.Core.Rating.RatingRequest(Billing.Core.Usage.ServiceType.Voice, "40723123456", Instant.FromUtc(2026, 3, 2, 10, 0), 61);

        var (plan, outcome) = RatingProfiles.Price(catalog, new Billing.Core.Rating.Rater(catalog), "cgrates.org", "call", subject, request);

        // 61 s at 0.06 per started minute = 0.12.
        Assert.Equal(("RP_PEAK", 0.12m), (plan, outcome.Charge!.Amount));
    }
}
