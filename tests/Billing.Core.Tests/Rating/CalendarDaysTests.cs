using Billing.Core.Rating;
using NodaTime;

namespace Billing.Core.Tests.Rating;

/// <summary>The engine's integer calendar must agree with NodaTime's on every instant and offset.</summary>
public class CalendarDaysTests
{
    private static readonly HashSet<LocalDate> Holidays = [new(2026, 12, 25), new(1969, 12, 31), new(2100, 2, 28)];

    public static TheoryData<string, int> Instants { get; } = new()
    {
        { "2026-10-25T00:59:59.999999999Z", 3600 },   // the last nanosecond of BST in London
        { "2026-10-25T01:00:00Z", 0 },
        { "2026-12-24T23:30:00Z", 3600 },              // Christmas Day already in Paris
        { "1970-01-01T00:00:00Z", -1 },                // one second before local midnight: the day before the epoch
        { "1969-12-31T23:59:59.5Z", 0 },
        { "2026-03-01T00:00:00Z", -18000 },            // still February in New York
        { "2100-02-28T12:00:00Z", 50400 },             // +14:00: already 1 March
        { "0050-06-01T00:00:00Z", 0 },
        { "9000-06-01T00:00:00Z", 0 },                 // after the table: worked out on the spot
        { "1969-12-31T01:00:00Z", -18000 },            // before 1970 with a negative offset: 20:00 the day before
        { "1960-06-15T02:00:00Z", -25200 },
        { "1969-12-31T12:00:00Z", -50400 },
        { "1969-12-31T23:00:00Z", 50400 },
    };

    [Theory]
    [InlineData(-5000, 0)]
    [InlineData(-5000, -50400)]
    [InlineData(-902, 3600)]
    public void Before_the_table_the_day_is_worked_out_on_the_spot(int year, int offsetSeconds)
    {
        var at = Instant.FromUtc(year, 6, 1, 0, 30);
        var offset = Offset.FromSeconds(offsetSeconds);

        var facts = new CalendarDays(Holidays).Local(at, offset, out var nanosecondOfDay);

        var local = at.WithOffset(offset).LocalDateTime;
        Assert.Equal(DayFacts.Of(local.Date, Holidays), facts);
        Assert.Equal(local.TimeOfDay.NanosecondOfDay, nanosecondOfDay);
    }

    [Theory]
    [MemberData(nameof(Instants))]
    public void Local_day_and_time_of_day_are_NodaTimes(string iso, int offsetSeconds)
    {
        var at = NodaTime.Text.InstantPattern.ExtendedIso.Parse(iso).Value;
        var offset = Offset.FromSeconds(offsetSeconds);
        var days = new CalendarDays(Holidays);

        var facts = days.Local(at, offset, out var nanosecondOfDay);

        var local = at.WithOffset(offset).LocalDateTime;
        Assert.Equal(DayFacts.Of(local.Date, Holidays), facts);
        Assert.Equal(local.TimeOfDay.NanosecondOfDay, nanosecondOfDay);
    }

    [Fact]
    public void Every_hour_of_two_years_agrees_in_London()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/London"];
        var days = new CalendarDays(Holidays);
        var mismatches = 0;
        for (var at = Instant.FromUtc(2025, 1, 1, 0, 0).PlusNanoseconds(123); at < Instant.FromUtc(2027, 1, 1, 0, 0); at += Duration.FromMinutes(37))
        {
            var offset = zone.GetUtcOffset(at);
            var facts = days.Local(at, offset, out var nanos);
            var local = at.InZone(zone).LocalDateTime;
            if (facts != DayFacts.Of(local.Date, Holidays) || nanos != local.TimeOfDay.NanosecondOfDay)
            {
                mismatches++;
            }
        }

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Facts_name_the_weekday_and_the_holiday()
    {
        var facts = new CalendarDays(Holidays).Local(Instant.FromUtc(2026, 12, 25, 10, 0), Offset.Zero, out _);

        Assert.Equal(new DayFacts(2026, 12, 25, (byte)IsoDayOfWeek.Friday, IsHoliday: true), facts);
    }
}
