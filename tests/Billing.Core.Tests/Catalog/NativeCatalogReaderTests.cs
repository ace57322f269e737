using Billing.Catalog;
using Billing.Catalog.Native;
using Billing.Core.Catalog;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Tests.Catalog;

public sealed class NativeCatalogReaderTests : IDisposable
{
    private static readonly string Template = Path.Combine(RepositoryRoot.Find(), "templates", "catalog");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "billing-catalog-" + Guid.NewGuid().ToString("N"));

    public NativeCatalogReaderTests()
    {
        Directory.CreateDirectory(_folder);
        foreach (var file in Directory.GetFiles(Template, "*.csv"))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }
    }

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Load_ShippedTemplate_HasNoErrorsAndTheExpectedContent()
    {
        var result = NativeCatalogReader.Load(Template, "2026-03-01");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        var catalog = result.Catalog!;
        Assert.Equal("2026-03-01", catalog.Version);
        Assert.Equal(11, catalog.Destinations.Entries.Count());
        Assert.Equal(5, catalog.Destinations.Entries.Select(e => e.Group).Distinct().Count());
        Assert.Equal(["*any", "holiday", "offpeak_evening", "offpeak_morning", "peak", "weekend"], catalog.Timings.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(8, catalog.Holidays.Count);
        Assert.Contains(new LocalDate(2026, 12, 28), catalog.Holidays);
        Assert.Equal(15, catalog.Rates.Count);
        Assert.Equal(3, catalog.Plans.Count);
        Assert.Equal(new RecurringFee("monthly", "Postpaid 1000 monthly charge", 25.00m, "standard"), Assert.Single(catalog.Plans["uk_postpaid_1000"].RecurringFees));

        var postpaid = catalog.Plans["uk_postpaid_300"];
        Assert.Equal(("GBP", "Europe/London"), (postpaid.Currency, postpaid.TimeZone));
        Assert.Equal((14, 4, 1), (postpaid.Voice.Count, postpaid.Sms.Count, postpaid.Data.Count));
        Assert.Equal(new PriceEntry("uk_mobile", "peak", 10m, "mobile_peak"), postpaid.Voice[5]);
        Assert.Equal(2, postpaid.Allowances.Count);
        Assert.Equal(("uk_minutes", ServiceType.Voice, 18000L), (postpaid.Allowances[0].Id, postpaid.Allowances[0].Service, postpaid.Allowances[0].Amount));
        Assert.Equal(["uk_landline", "uk_mobile"], postpaid.Allowances[0].DestinationGroups!.Order(StringComparer.Ordinal));
        Assert.Equal(5368709120L, postpaid.Allowances[1].Amount);
        Assert.Null(postpaid.Allowances[1].DestinationGroups);
        Assert.Equal(new RecurringFee("monthly", "Postpaid 300 monthly charge", 15.00m, "standard"), Assert.Single(postpaid.RecurringFees));

        var prepaid = catalog.Plans["uk_prepaid"];
        Assert.Equal((4, 1, 1), (prepaid.Voice.Count, prepaid.Sms.Count, prepaid.Data.Count));
        Assert.Equal(["pp_minutes_100", "pp_data_1gb"], prepaid.Allowances.Select(a => a.Id)); // its bundles, bought not granted
    }

    [Fact]
    public void Load_ShippedTemplate_ReadsRatesTimingsAndOverlappingPrefixesExactly()
    {
        var catalog = NativeCatalogReader.Load(Template, "v").Catalog!;

        var peak = catalog.Rates["mobile_peak"];
        Assert.Equal([new RateStep(0, 0.15m, 60, 30), new RateStep(30, 0.15m, 60, 6)], peak.Steps);
        Assert.Equal((0.05m, 0m, 0m, RoundingMethod.Up, 4), (peak.ConnectFee, peak.MinimumCharge, peak.MaxCost, peak.Rounding, peak.RoundingDecimals));
        var europe = catalog.Rates["intl_europe"];
        Assert.Equal([new RateStep(0, 0.30m, 60, 60), new RateStep(60, 0.30m, 60, 1)], europe.Steps);
        Assert.Equal((20.00m, MaxCostStrategy.Disconnect), (europe.MaxCost, europe.MaxCostStrategy));
        Assert.Equal(0.20m, catalog.Rates["uk_other"].MinimumCharge);
        Assert.Equal([new RateStep(0, 0.05m, 1048576, 1024)], catalog.Rates["data_payg"].Steps);
        Assert.Equal(MaxCostStrategy.Free, catalog.Rates["intl_usa"].MaxCostStrategy);

        var band = catalog.Timings["peak"];
        Assert.Equal(new LocalTime(8, 0), band.Start);
        Assert.Equal(new LocalTime(19, 0), band.End);
        Assert.Equal(HolidayRule.Exclude, band.Holidays);
        Assert.Equal(5, band.WeekDays!.Count);
        Assert.Null(catalog.Timings["offpeak_evening"].End);
        Assert.Equal([IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday], catalog.Timings["weekend"].WeekDays!.Order());
        Assert.Equal(HolidayRule.Only, catalog.Timings["holiday"].Holidays);

        Assert.Equal([("447", "uk_mobile"), ("44", "uk_other")], catalog.Destinations.Matches("447700900123"));
    }

    [Fact]
    public void Load_BrokenCatalogue_ReportsEveryErrorWithItsFileAndLine()
    {
        var duplicatePrefix = Append("destinations.csv", "uk_mobile,447");
        var badPrefix = Append("destinations.csv", "uk_mobile,44x7");
        var backwards = Append("timings.csv", "late,mon-fri,19:00,08:00,any");
        var badDays = Append("timings.csv", "odd,mon-funday,08:00,,any");
        var duplicateTiming = Append("timings.csv", "peak,sat,08:00,,any");
        var notFromZero = Append("rates.csv", "late_start,30s,0.10,60s,6s");
        var ragged = Append("rates.csv", "ragged,0,0.10,60s,7s");
        Append("rates.csv", "ragged,30s,0.10,60s,6s");
        var zeroUnit = Append("rates.csv", "zero_unit,0,0.10,0,1s");
        var badDecimals = Append("rates.csv", "too_precise,0,0.10,60s,1s,,,,,up,7");
        var conflicting = Append("rates.csv", "two_fees,0,0.10,60s,60s,0.05");
        var conflictingLater = Append("rates.csv", "two_fees,60s,0.10,60s,1s,0.07");
        var badCurrency = Append("plans.csv", "mars,Mars,XXX,Mars/Olympus_Mons");
        var duplicatePlan = Append("plans.csv", "uk_prepaid,Again,GBP,Europe/London");
        var unknowns = Append("prices.csv", "uk_prepaid,voice,atlantis,midnight_sun,10,no_such_rate");
        var wrongKind = Append("prices.csv", "uk_prepaid,voice,europe,*any,10,data_payg");
        var badAmount = Append("allowances.csv", "uk_prepaid,big,voice,5GB,");

        var result = NativeCatalogReader.Load(_folder, "broken");

        Assert.Null(result.Catalog);
        AssertError(result, "destinations.csv", duplicatePrefix, "already in group");
        AssertError(result, "destinations.csv", badPrefix, "not a string of digits");
        AssertError(result, "timings.csv", backwards, "not after from");
        AssertError(result, "timings.csv", badDays, "not a day");
        AssertError(result, "timings.csv", duplicateTiming, "defined twice");
        AssertError(result, "rates.csv", notFromZero, "must start at 0");
        AssertError(result, "rates.csv", ragged, "not a multiple of its increment 7");
        AssertError(result, "rates.csv", zeroUnit, "unit '0'");
        AssertError(result, "rates.csv", badDecimals, "decimals '7'");
        AssertError(result, "rates.csv", conflictingLater, "differs from '0.05'");
        AssertError(result, "plans.csv", badCurrency, "currency 'XXX'");
        AssertError(result, "plans.csv", badCurrency, "time_zone 'Mars/Olympus_Mons'");
        AssertError(result, "plans.csv", duplicatePlan, "defined twice");
        AssertError(result, "prices.csv", unknowns, "destination group 'atlantis'");
        AssertError(result, "prices.csv", unknowns, "timing 'midnight_sun'");
        AssertError(result, "prices.csv", unknowns, "rate 'no_such_rate'");
        AssertError(result, "prices.csv", wrongKind, "cannot price voice");
        AssertError(result, "allowances.csv", badAmount, "amount '5GB'");
        Assert.Equal(18, result.Errors.Count); // exactly the ones above: nothing doubled, nothing invented
        Assert.DoesNotContain(result.Errors, e => e.Line == conflicting);
    }

    [Fact]
    public void Load_PrepaidSettings_ArePerPlan_AndAPlanNotListedIsBarredAtZero()
    {
        File.WriteAllText(Path.Combine(_folder, "prepaid.csv"), "plan,thresholds,at_zero,credit_limit,expiry_days\nuk_prepaid,1.00;5.00;0,credit,10.00,90\n");

        var catalog = NativeCatalogReader.Load(_folder, "prepaid").Catalog!;

        var policy = catalog.Plans["uk_prepaid"].Prepaid;
        Assert.Equal([5.00m, 1.00m, 0m], policy.Thresholds);
        Assert.Equal((10.00m, -10.00m, 90), (policy.CreditLimit, policy.Floor, policy.ExpiryDays!.Value));
        Assert.Equal(Billing.Core.Prepaid.PrepaidPolicy.Default, catalog.Plans["uk_postpaid_300"].Prepaid);
        Assert.Equal([5.00m, 1.00m, 0m], NativeCatalogReader.Load(Template, "shipped").Catalog!.Plans["uk_prepaid"].Prepaid.Thresholds);
    }

    [Fact]
    public void Load_Bundles_AreAllowancesOfAmountZeroAfterThePlansOwn_WithTheirPrice()
    {
        var catalog = NativeCatalogReader.Load(Template, "shipped").Catalog!;

        var plan = catalog.Plans["uk_prepaid"];
        Assert.Equal([("pp_minutes_100", 6_000L, 3.00m), ("pp_data_1gb", 1_073_741_824L, 5.00m)], plan.Bundles.Select(b => (b.Id, b.Allowance.Amount, b.Price)));
        Assert.Equal([("pp_minutes_100", 0L), ("pp_data_1gb", 0L)], plan.Allowances.Select(a => (a.Id, a.Amount)));
        Assert.Equal(["uk_landline", "uk_mobile"], plan.Bundles[0].Allowance.DestinationGroups!.Order(StringComparer.Ordinal));

        var bad = Append("bundles.csv", "uk_prepaid,pp_minutes_100,Again,voice,10min,,free");
        var result = NativeCatalogReader.Load(_folder, "broken");
        AssertError(result, "bundles.csv", bad, "price 'free'");
        AssertError(result, "bundles.csv", bad, "already has an allowance or bundle 'pp_minutes_100'");
    }

    [Fact]
    public void Load_BrokenPrepaidSettings_AreReportedWithTheirLines()
    {
        File.WriteAllText(Path.Combine(_folder, "prepaid.csv"), "plan,thresholds,at_zero,credit_limit,expiry_days\n");
        var noLimit = Append("prepaid.csv", "uk_prepaid,5;x,credit,,0");
        var unknown = Append("prepaid.csv", "no_such_plan,,sometimes,,");
        var limitOnBar = Append("prepaid.csv", "uk_postpaid_300,-5,bar,3.00,");
        var tenMillionDays = Append("prepaid.csv", "uk_postpaid_1000,0,bar,,10000000");

        var result = NativeCatalogReader.Load(_folder, "broken");

        AssertError(result, "prepaid.csv", noLimit, "threshold 'x'");
        AssertError(result, "prepaid.csv", noLimit, "credit_limit ''");
        AssertError(result, "prepaid.csv", noLimit, "expiry_days '0'");
        AssertError(result, "prepaid.csv", unknown, "plan 'no_such_plan'");
        AssertError(result, "prepaid.csv", unknown, "at_zero 'sometimes'");
        AssertError(result, "prepaid.csv", limitOnBar, "credit_limit is only for at_zero = credit");
        AssertError(result, "prepaid.csv", limitOnBar, "threshold -5 is below what the balance can reach (0)");
        AssertError(result, "prepaid.csv", tenMillionDays, "expiry_days '10000000' must be a positive whole number of days, at most 36500");
        Assert.True(result.Errors.Count == 8, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Load_MissingFilesAndColumns_AreReported()
    {
        File.Delete(Path.Combine(_folder, "prices.csv"));
        File.WriteAllText(Path.Combine(_folder, "plans.csv"), "# plans\nplan,currency,zone\n");

        var result = NativeCatalogReader.Load(_folder, "v");

        Assert.Contains(new CatalogError("prices.csv", 0, "the file is missing"), result.Errors);
        Assert.Contains(result.Errors, e => e is { File: "plans.csv", Line: 2 } && e.Message.Contains("time_zone", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e is { File: "plans.csv", Line: 2 } && e.Message.Contains("unknown column 'zone'", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ManyDestinationRows_AreAllRead()
    {
        var lines = Enumerable.Range(0, 6000).Select(i => $"bulk_{i % 40},{99_000_000 + i}");
        File.AppendAllLines(Path.Combine(_folder, "destinations.csv"), lines);

        var result = NativeCatalogReader.Load(_folder, "v");

        Assert.Empty(result.Errors);
        Assert.Equal(6011, result.Catalog!.Destinations.Entries.Count());
        Assert.Equal([("99005999", "bulk_39")], result.Catalog.Destinations.Matches("99005999"));
    }

    [Fact]
    public void Checksum_ChangesWithContent_NotWithTheReadme()
    {
        var before = CatalogChecksum.Of(_folder);
        File.WriteAllText(Path.Combine(_folder, "README.md"), "notes");
        Assert.Equal(before, CatalogChecksum.Of(_folder));
        Assert.Equal(64, before.Length);

        Append("holidays.csv", "2026-12-31,New Year's Eve");

        Assert.NotEqual(before, CatalogChecksum.Of(_folder));
    }

    [Fact]
    public void Summary_ListsPlansCountsAllowancesAndFees()
    {
        var summary = CatalogPrinter.Summary(NativeCatalogReader.Load(Template, "2026-03-01").Catalog!);

        Assert.Contains("Catalogue 2026-03-01", summary, StringComparison.Ordinal);
        Assert.Contains("Destinations: 5 groups, 11 prefixes", summary, StringComparison.Ordinal);
        Assert.Contains("uk_postpaid_300 — Postpaid 300: 300 UK minutes and 5 GB (GBP, Europe/London)", summary, StringComparison.Ordinal);
        Assert.Contains("entries: voice 14, sms 4, data 1", summary, StringComparison.Ordinal);
        Assert.Contains("allowance uk_minutes: 300 min voice to uk_landline, uk_mobile", summary, StringComparison.Ordinal);
        Assert.Contains("allowance data_5gb: 5 GB data to all destinations", summary, StringComparison.Ordinal);
        Assert.Contains("fee monthly: 15.00 GBP per cycle", summary, StringComparison.Ordinal);
        Assert.Contains("peak                     mon;tue;wed;thu;fri, 08:00:00–19:00:00, holidays exclude", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalogue_read_from_its_files_contents_needs_no_folder_and_reports_errors_by_file_and_line()
    {
        var files = new Dictionary<string, string>
        {
            ["destinations.csv"] = "# groups\ngroup,prefix\nuk,44\nuk,44x\n",
            ["rates.csv"] = "rate,from,price,unit,increment\nflat,0,0.06,60s,60s\n",
            ["plans.csv"] = "plan,currency,time_zone\nbasic,GBP,Europe/London\n",
            ["prices.csv"] = "plan,service,destination,timing,weight,rate\nbasic,voice,uk,,10,flat\n",
        };

        var broken = NativeCatalogReader.Load(files, "v");
        files["destinations.csv"] = "group,prefix\nuk,44\n";
        var catalog = NativeCatalogReader.Load(files, "v").Catalog!;

        Assert.Equal(["destinations.csv:4: prefix '44x' is not a string of digits (E.164 without '+')"], broken.Errors.Select(e => e.ToString()));
        // 61 s at 0.06 per started minute: 2 minutes = 0.12.
        var call = new Billing.Core.Rating.RatingRequest(ServiceType.Voice, "442071234567", Instant.FromUtc(2026, 11, 2, 12, 0), 61);
        Assert.Equal(0.12m, new Billing.Core.Rating.Rater(catalog).Rate("basic", call, null).Charge!.Amount);
    }

    [Fact]
    public void A_catalogue_read_from_its_files_contents_prices_as_the_folder_does()
    {
        var fromFolder = NativeCatalogReader.Load(Template, "v").Catalog!;
        var fromContents = NativeCatalogReader.Load(CatalogSource.ReadFiles(Template), "v").Catalog!;

        // 95 s to a UK mobile on uk_prepaid (pp_voice: 0.20 a minute per second) = 0.316666…, rounded up to 4 decimals.
        var call = new Billing.Core.Rating.RatingRequest(ServiceType.Voice, "447700900123", Instant.FromUtc(2026, 11, 2, 18, 59, 30), 95);
        Assert.Equal(CatalogPrinter.Summary(fromFolder), CatalogPrinter.Summary(fromContents));
        Assert.Equal(0.3167m, new Billing.Core.Rating.Rater(fromFolder).Rate("uk_prepaid", call, null).Charge!.Amount);
        Assert.Equal(0.3167m, new Billing.Core.Rating.Rater(fromContents).Rate("uk_prepaid", call, null).Charge!.Amount);
    }

    private static void AssertError(CatalogLoadResult result, string file, long line, string fragment) =>
        Assert.True(
            result.Errors.Any(e => e.File == file && e.Line == line && e.Message.Contains(fragment, StringComparison.Ordinal)),
            $"expected {file}:{line} containing \"{fragment}\"; got:\n{string.Join('\n', result.Errors)}");

    /// <summary>Appends a row and returns its 1-based line number.</summary>
    private long Append(string file, string row)
    {
        var path = Path.Combine(_folder, file);
        var text = File.ReadAllText(path);
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            text += "\n";
        }

        text += row + "\n";
        File.WriteAllText(path, text);
        return text.Count(c => c == '\n');
    }
}
