using Billing.Core.Catalog;
using Billing.Core.Rating;
using NodaTime;
using static Billing.Core.Tests.Rating.ScenarioCatalog;

namespace Billing.Core.Tests.Rating;

/// <summary>
/// When a timing holds: its daily window (one that runs past midnight holds until midnight) and its
/// year, month, day-of-month and weekday filters. Each scenario prices a one-minute call at 0.06 a
/// minute while the timing holds and 0.60 otherwise.
/// </summary>
public sealed class TimeBandScenarioTests
{
    private static readonly Rate Special = PerSecond("R_SPECIAL", 0.06m);
    private static readonly Rate Otherwise = PerSecond("R_OTHER", 0.60m);

    private static readonly Timing Night = new() { Id = "NIGHT", Start = new LocalTime(22, 0), End = new LocalTime(6, 0) };

    private static decimal OneMinuteAt(Timing timing, Instant start) => Rated(BandOverAnyTime(timing, Special, Otherwise), start, 60).Amount;

    [Theory]
    [InlineData(22, 0, 0, 0.06)]    // the band's first second
    [InlineData(23, 0, 0, 0.06)]
    [InlineData(23, 59, 0, 0.06)]   // its last minute before midnight
    [InlineData(21, 59, 59, 0.069)] // 1 s at 0.60 a minute, then 59 s of night
    [InlineData(12, 0, 0, 0.60)]
    public void A_night_band_from_22_00_to_06_00_holds_from_22_00_until_midnight(int hour, int minute, int second, decimal amount) =>
        Assert.Equal(amount, OneMinuteAt(Night, Instant.FromUtc(2026, 11, 2, hour, minute, second)));

    [Fact]
    public void The_night_bands_wrapped_tail_after_midnight_is_not_night_a_call_at_05_00_pays_0_60()
    {
        var charge = Rated(BandOverAnyTime(Night, Special, Otherwise), Instant.FromUtc(2026, 11, 3, 5, 0), 60);

        Assert.Equal((0.60m, "*any"), (charge.Amount, Assert.Single(charge.Parts).TimingId));
    }

    [Fact]
    public void A_call_from_23_59_30_pays_0_03_of_night_until_midnight_and_0_30_after_it()
    {
        var start = Instant.FromUtc(2026, 11, 2, 23, 59, 30);

        var charge = Rated(BandOverAnyTime(Night, Special, Otherwise), start, 60);

        Assert.Equal(
            [
                new ChargePart(start, 0, 30, "NIGHT", "R_SPECIAL", 0, 0, 0.03m),
                new ChargePart(Instant.FromUtc(2026, 11, 3, 0, 0), 30, 30, "*any", "R_OTHER", 0, 0, 0.30m),
            ],
            charge.Parts);
        Assert.Equal(0.33m, charge.Amount);
    }

    [Theory]
    [InlineData(18, 0, 0.06)]
    [InlineData(23, 0, 0.06)]
    [InlineData(17, 0, 0.60)]
    public void A_band_whose_end_equals_its_start_holds_from_its_start_until_midnight(int hour, int minute, decimal amount)
    {
        var evening = new Timing { Id = "EVENING", Start = new LocalTime(18, 0), End = new LocalTime(18, 0) };

        Assert.Equal(amount, OneMinuteAt(evening, Instant.FromUtc(2026, 11, 2, hour, minute)));
    }

    private static readonly Timing Weekend = new() { Id = "WEEKEND", WeekDays = new HashSet<IsoDayOfWeek> { IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday } };

    [Theory]
    [InlineData(7, 0.06)]   // Saturday
    [InlineData(8, 0.06)]   // Sunday
    [InlineData(9, 0.60)]   // Monday
    [InlineData(6, 0.60)]   // Friday
    public void Weekend_timings_hold_on_Saturday_and_Sunday_only(int novemberDay, decimal amount) =>
        Assert.Equal(amount, OneMinuteAt(Weekend, Instant.FromUtc(2026, 11, novemberDay, 10, 0)));

    [Theory]
    [InlineData(12, 2026, 12, 31, 0.06)]
    [InlineData(12, 2026, 11, 30, 0.60)]   // the month alone rejects November
    [InlineData(1, 2027, 1, 1, 0.06)]
    [InlineData(1, 2026, 12, 1, 0.60)]
    public void A_month_filter_holds_in_its_month_only(int month, int year, int monthOfDate, int day, decimal amount)
    {
        var timing = new Timing { Id = "MONTH", Months = new HashSet<int> { month } };

        Assert.Equal(amount, OneMinuteAt(timing, Instant.FromUtc(year, monthOfDate, day, 10, 0)));
    }

    [Theory]
    [InlineData(2026, 12, 1, 0.06)]
    [InlineData(2026, 12, 31, 0.06)]
    [InlineData(2026, 12, 2, 0.60)]        // the day alone rejects the 2nd
    [InlineData(2026, 11, 30, 0.60)]
    public void A_day_of_month_filter_for_the_1st_and_the_31st_holds_on_those_days_only(int year, int month, int day, decimal amount)
    {
        var timing = new Timing { Id = "DAYS", MonthDays = new HashSet<int> { 1, 31 } };

        Assert.Equal(amount, OneMinuteAt(timing, Instant.FromUtc(year, month, day, 10, 0)));
    }

    [Theory]
    [InlineData(2027, 0.06)]
    [InlineData(2026, 0.60)]
    [InlineData(2028, 0.60)]
    public void A_year_filter_holds_in_its_year_only(int year, decimal amount)
    {
        var timing = new Timing { Id = "YEAR", Years = new HashSet<int> { 2027 } };

        Assert.Equal(amount, OneMinuteAt(timing, Instant.FromUtc(year, 3, 15, 10, 0)));
    }

    public static TheoryData<string, int, int, int> OutOfRangeFilters { get; } = new()
    {
        // filter, a date the filter would hit if the value wrapped round a bit mask
        { "months 0, 13, 33", 2027, 1, 4 },
        { "months -31", 2027, 1, 4 },
        { "days 0, 32, 65", 2026, 12, 1 },
        { "weekdays None, 33", 2026, 11, 2 },
    };

    [Theory]
    [MemberData(nameof(OutOfRangeFilters))]
    public void A_filter_holding_only_out_of_range_values_holds_on_no_day_and_the_call_pays_0_60(string filter, int year, int month, int day)
    {
        var timing = filter switch
        {
            "months 0, 13, 33" => new Timing { Id = "ODD", Months = new HashSet<int> { 0, 13, 33 } },
            "months -31" => new Timing { Id = "ODD", Months = new HashSet<int> { -31 } },
            "days 0, 32, 65" => new Timing { Id = "ODD", MonthDays = new HashSet<int> { 0, 32, 65 } },
            "weekdays None, 33" => new Timing { Id = "ODD", WeekDays = new HashSet<IsoDayOfWeek> { IsoDayOfWeek.None, (IsoDayOfWeek)33 } },
            _ => throw new ArgumentOutOfRangeException(nameof(filter)),
        };

        Assert.Equal(0.60m, OneMinuteAt(timing, Instant.FromUtc(year, month, day, 10, 0)));
    }

    [Fact]
    public void A_timing_with_an_unknown_holiday_rule_is_a_bug_and_rating_throws_naming_the_rule()
    {
        var timing = new Timing { Id = "ODD", Holidays = (HolidayRule)7 };

        var e = Assert.Throws<InvalidOperationException>(() => OneMinuteAt(timing, MondayMorning));

        Assert.Equal("Unknown holiday rule 7.", e.Message);
    }

    [Fact]
    public void A_call_across_midnight_under_one_all_day_price_is_one_part_of_60_seconds_costing_0_60()
    {
        var start = Instant.FromUtc(2026, 11, 2, 23, 59, 30);
        var catalog = Build([Otherwise], [new PriceEntry("UK", "*any", 10, Otherwise.Id)]);

        var charge = Rated(catalog, start, 60);

        Assert.Equal(new ChargePart(start, 0, 60, "*any", "R_OTHER", 0, 0, 0.60m), Assert.Single(charge.Parts));
        Assert.Equal(0.60m, charge.Amount);
    }
}
