using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;
using static Billing.Core.Tests.Rating.ScenarioCatalog;

namespace Billing.Core.Tests.Rating;

/// <summary>Why an event is not priced, in words customer care can read, and the arguments that are bugs.</summary>
public sealed class RatingFailureScenarioTests
{
    private static readonly TariffCatalog PeakOnly = Build([PerSecond("R", 0.60m, connect: 0.10m)], [new PriceEntry("UK", "PEAK", 10, "R")], [Peak]);

    /// <summary>Saturday 7 November 2026, 10:00 local: outside the weekday peak.</summary>
    private static readonly Instant SaturdayMorning = Instant.FromUtc(2026, 11, 7, 10, 0);

    [Fact]
    public void A_call_when_no_band_holds_is_not_priced_and_says_the_plan_group_and_local_time()
    {
        var outcome = Rate(PeakOnly, SaturdayMorning, 60);

        Assert.Equal(
            (HoldReasons.NoTiming, "Plan 'P' has no entry for 'UK' holding at 2026-11-07T10:00:00 Europe/London."),
            (outcome.FailureReason, outcome.FailureDetail));
    }

    [Fact]
    public void A_zero_second_call_when_no_band_holds_is_not_priced_at_the_connect_fee_either()
    {
        var outcome = Rate(PeakOnly, SaturdayMorning, 0);

        Assert.Equal((HoldReasons.NoTiming, false), (outcome.FailureReason, outcome.IsRated));
    }

    [Fact]
    public void An_unknown_plan_says_which_plan_and_catalogue_version()
    {
        var outcome = new Rater(PeakOnly).Rate("NOPE", new RatingRequest(ServiceType.Voice, UkNumber, MondayMorning, 60), null);

        Assert.Equal((HoldReasons.UnknownPlan, "Plan 'NOPE' is not in catalogue version scenario."), (outcome.FailureReason, outcome.FailureDetail));
    }

    [Fact]
    public void Data_on_a_plan_without_a_data_tariff_says_so()
    {
        var outcome = new Rater(PeakOnly).Rate(PlanId, new RatingRequest(ServiceType.Data, null, MondayMorning, 1024), null);

        Assert.Equal((HoldReasons.NoTariff, "Plan 'P' has no data tariff."), (outcome.FailureReason, outcome.FailureDetail));
    }

    [Fact]
    public void A_rate_with_an_unknown_max_cost_strategy_is_a_bug_and_rating_a_call_over_the_cap_throws_naming_it()
    {
        var rate = PerSecond("R", 0.60m) with { MaxCost = 0.10m, MaxCostStrategy = (MaxCostStrategy)9 };
        var catalog = Build([rate], [new PriceEntry("UK", "*any", 10, "R")]);

        var e = Assert.Throws<InvalidOperationException>(() => Rate(catalog, MondayMorning, 60));

        Assert.Equal("Unknown max cost strategy 9.", e.Message);
    }

    [Fact]
    public void Rating_without_a_plan_id_or_request_or_opening_allowances_without_a_plan_id_are_bugs_refused_by_name()
    {
        var rater = new Rater(PeakOnly);

        Assert.Equal("planId", Assert.Throws<ArgumentNullException>(() => rater.Rate(null!, new RatingRequest(ServiceType.Voice, UkNumber, MondayMorning, 60), null)).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => rater.Rate(PlanId, null!, null)).ParamName);
        Assert.Equal("planId", Assert.Throws<ArgumentNullException>(() => rater.OpeningAllowances(null!)).ParamName);
    }

    [Fact]
    public void A_negative_quantity_is_a_bug_refused_before_any_connect_fee_is_charged()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Rate(PeakOnly, MondayMorning, -1));

        Assert.Equal("request", e.ParamName);
    }
}
