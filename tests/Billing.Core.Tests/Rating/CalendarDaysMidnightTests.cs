using Billing.Core.Rating;
using NodaTime;

namespace Billing.Core.Tests.Rating;

/// <summary>The engine's calendar at exactly local midnight before 1970 with a negative offset, where the day's nanoseconds are exactly minus one day.</summary>
public sealed class CalendarDaysMidnightTests
{
    [Fact]
    public void Midnight_opening_31_December_1969_in_New_York_is_the_start_of_the_31st_not_the_end_of_the_30th()
    {
        // 1969-12-31T05:00Z is 19 hours before the epoch; with the -05:00 offset, exactly one day before it.
        var facts = new CalendarDays(new HashSet<LocalDate>()).Local(Instant.FromUtc(1969, 12, 31, 5, 0), Offset.FromHours(-5), out var nanosecondOfDay);

        Assert.Equal((1969, (byte)12, (byte)31, (byte)IsoDayOfWeek.Wednesday, 0L), (facts.Year, facts.Month, facts.Day, facts.WeekDay, nanosecondOfDay));
    }
}
