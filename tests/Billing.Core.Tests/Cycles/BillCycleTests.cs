using Billing.Core.Cycles;
using NodaTime;

namespace Billing.Core.Tests.Cycles;

public sealed class BillCycleTests
{
    private static readonly DateTimeZone London = DateTimeZoneProviders.Tzdb["Europe/London"];

    [Theory]
    [InlineData("2026-11-05T00:00:00Z", 5, "2026-11-05", "2026-12-05")]   // the cycle day itself starts a cycle
    [InlineData("2026-11-04T23:59:59Z", 5, "2026-10-05", "2026-11-05")]   // one second before: the previous cycle
    [InlineData("2026-01-03T12:00:00Z", 5, "2025-12-05", "2026-01-05")]   // across a year end
    [InlineData("2026-03-01T00:00:00Z", 28, "2026-02-28", "2026-03-28")]  // day 28 in February
    [InlineData("2026-02-28T00:00:00Z", 1, "2026-02-01", "2026-03-01")]
    [InlineData("2026-07-04T23:30:00Z", 5, "2026-07-05", "2026-08-05")]   // 00:30 BST on the 5th: local date decides
    public void Containing_FindsTheCycleByLocalDate(string at, int day, string start, string end)
    {
        var cycle = BillCycle.Containing(Instant.FromDateTimeOffset(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)), London, day);

        Assert.Equal((start, end), (cycle.Start.ToString("uuuu-MM-dd", null), cycle.End.ToString("uuuu-MM-dd", null)));
    }

    [Fact]
    public void ToInterval_StartsAtLocalMidnight_AcrossADstChange()
    {
        var cycle = new BillCycle(new LocalDate(2026, 3, 5), new LocalDate(2026, 4, 5));

        var interval = cycle.ToInterval(London);

        Assert.Equal(Instant.FromUtc(2026, 3, 5, 0, 0), interval.Start);   // GMT
        Assert.Equal(Instant.FromUtc(2026, 4, 4, 23, 0), interval.End);    // BST
    }

    [Theory]
    [InlineData(0)]
    [InlineData(29)]
    public void Containing_RefusesACycleDayOutside1To28(int day) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BillCycle.Containing(Instant.FromUtc(2026, 1, 1, 0, 0), London, day));
}
