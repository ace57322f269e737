using Billing.Core.Cycles;
using NodaTime;

namespace Billing.Core.Tests.Cycles;

/// <summary>What a bill cycle holds: its first day and not the day it ends on.</summary>
public sealed class BillCycleScenarioTests
{
    private static readonly BillCycle November5 = new(new LocalDate(2026, 11, 5), new LocalDate(2026, 12, 5));

    [Theory]
    [InlineData(11, 4, false)]
    [InlineData(11, 5, true)]
    [InlineData(12, 4, true)]
    [InlineData(12, 5, false)]
    public void The_cycle_from_5_November_to_5_December_holds_5_November_to_4_December(int month, int day, bool contains) =>
        Assert.Equal(contains, November5.Contains(new LocalDate(2026, month, day)));

    [Fact]
    public void A_cycle_is_written_as_a_half_open_interval_of_dates() =>
        Assert.Equal("[2026-11-05, 2026-12-05)", November5.ToString());

    [Fact]
    public void A_cycle_day_of_29_is_refused_saying_cycle_days_run_from_1_to_28()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BillCycle.Containing(Instant.FromUtc(2026, 11, 10, 0, 0), DateTimeZone.Utc, 29));

        Assert.StartsWith("a cycle day is 1–28", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bounds_without_a_time_zone_are_a_bug_refused_by_name() =>
        Assert.Equal("zone", Assert.Throws<ArgumentNullException>(() => November5.ToInterval(null!)).ParamName);
}
