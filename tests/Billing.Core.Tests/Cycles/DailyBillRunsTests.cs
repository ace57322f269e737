using Billing.Core.Cycles;
using NodaTime;
using NodaTime.Text;

namespace Billing.Core.Tests.Cycles;

public sealed class DailyBillRunsTests
{
    private static LocalDate D(string iso) => LocalDatePattern.Iso.Parse(iso).Value;

    private static string[] Dates(string target, string? first, params string[] made) =>
        [.. DailyBillRuns.Dates(D(target), first is null ? null : D(first), made.Select(D).ToHashSet()).Select(LocalDatePattern.Iso.Format)];

    [Fact]
    public void Before_any_bill_run_the_daily_run_plans_only_its_own_date_not_the_month_before_it()
    {
        Assert.Equal(["2026-11-14"], Dates("2026-11-14", null));
    }

    /// <summary>Every daily run makes its date's run (a row, even with no account to bill): a date without one was missed.</summary>
    [Fact]
    public void Dates_missed_since_the_last_run_are_planned_oldest_first_before_the_days_own_date()
    {
        Assert.Equal(["2026-11-12", "2026-11-13", "2026-11-14"], Dates("2026-11-14", "2026-11-10", "2026-11-10", "2026-11-11"));
    }

    [Fact]
    public void A_missed_date_that_has_a_run_made_by_hand_is_not_planned_again_but_the_days_own_date_always_is()
    {
        Assert.Equal(["2026-11-13", "2026-11-14"], Dates("2026-11-14", "2026-11-10", "2026-11-10", "2026-11-11", "2026-11-12", "2026-11-14"));
    }

    [Fact]
    public void The_29th_30th_and_31st_are_never_planned_whether_missed_or_the_days_own()
    {
        Assert.Equal(["2027-01-01"], Dates("2027-01-01", "2026-12-27", "2026-12-27", "2026-12-28"));
        Assert.Equal(["2026-12-28"], Dates("2026-12-30", "2026-12-27", "2026-12-27"));
    }

    [Fact]
    public void No_date_before_the_first_run_is_planned()
    {
        Assert.Equal(["2026-11-13", "2026-11-14"], Dates("2026-11-14", "2026-11-12", "2026-11-12"));
    }

    [Fact]
    public void A_missed_date_more_than_31_days_before_the_days_own_date_is_left_to_a_run_by_hand()
    {
        var made = new[] { "2026-09-01" };
        var dates = Dates("2026-11-14", "2026-09-01", made);
        Assert.Equal("2026-10-14", dates[0]);
        Assert.Equal("2026-11-14", dates[^1]);
        Assert.Equal(29, dates.Length); // 14 Oct – 13 Nov (31 dates) without 29, 30 and 31 October, then 14 November
        Assert.DoesNotContain("2026-10-13", dates);
    }
}
