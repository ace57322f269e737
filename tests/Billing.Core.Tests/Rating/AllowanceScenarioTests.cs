using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;
using static Billing.Core.Tests.Rating.ScenarioCatalog;

namespace Billing.Core.Tests.Rating;

/// <summary>Which allowance an event draws on, and how the increment where it runs out is priced.</summary>
public sealed class AllowanceScenarioTests
{
    private static readonly Allowance Minutes = new("MIN", ServiceType.Voice, 600);
    private static readonly Allowance Bundle = new("BUNDLE", ServiceType.Voice, 0);

    /// <summary>Monday 18:59:00 local: one minute before peak ends.</summary>
    private static readonly Instant LastPeakMinute = Instant.FromUtc(2026, 11, 2, 18, 59);

    [Fact]
    public void A_call_that_uses_the_last_30_allowance_seconds_then_turns_off_peak_pays_0_40_for_the_rest_of_its_peak_minute_and_0_20_for_the_off_peak_one()
    {
        var catalog = BandOverAnyTime(Peak, PerMinute("R_PEAK", 0.80m), PerMinute("R_OFF", 0.20m), [Minutes]);
        var balances = new Dictionary<string, long> { ["MIN"] = 30 };

        var charge = Rated(catalog, LastPeakMinute, 120, balances);

        Assert.Equal(
            [
                new ChargePart(LastPeakMinute, 0, 60, "PEAK", "R_PEAK", 0, 30, 0.40m),
                new ChargePart(Instant.FromUtc(2026, 11, 2, 19, 0), 60, 60, "*any", "R_OFF", 0, 0, 0.20m),
            ],
            charge.Parts);
        Assert.Equal((0.60m, 120L, 30L, 0L), (charge.Amount, charge.BilledQuantity, charge.AllowanceUsed, balances["MIN"]));
    }

    [Fact]
    public void A_90_second_call_with_30_allowance_seconds_left_pays_0_30_for_the_rest_of_its_first_minute_block_and_0_30_for_30_seconds_after()
    {
        var blockThenPerSecond = new Rate { Id = "R", Steps = [new RateStep(0, 0.60m, 60, 60), new RateStep(60, 0.60m, 60, 1)] };
        var catalog = Build([blockThenPerSecond], [new PriceEntry("UK", "*any", 10, "R")], allowances: [Minutes]);
        var balances = new Dictionary<string, long> { ["MIN"] = 30 };

        var charge = Rated(catalog, MondayMorning, 90, balances);

        Assert.Equal(
            [
                new ChargePart(MondayMorning, 0, 60, "*any", "R", 0, 30, 0.30m),
                new ChargePart(MondayMorning + Duration.FromMinutes(1), 60, 30, "*any", "R", 1, 0, 0.30m),
            ],
            charge.Parts);
        Assert.Equal((0.60m, 90L, 0L), (charge.Amount, charge.BilledQuantity, balances["MIN"]));
    }

    [Fact]
    public void A_36_second_call_billed_per_6_seconds_with_5_allowance_seconds_left_bills_36_seconds_and_pays_0_31_for_the_31_not_covered()
    {
        var per6Seconds = new Rate { Id = "R", Steps = [new RateStep(0, 0.60m, 60, 6)] };
        var catalog = Build([per6Seconds], [new PriceEntry("UK", "*any", 10, "R")], allowances: [Minutes]);
        var balances = new Dictionary<string, long> { ["MIN"] = 5 };

        var charge = Rated(catalog, MondayMorning, 36, balances);

        Assert.Equal(new ChargePart(MondayMorning, 0, 36, "*any", "R", 0, 5, 0.31m), Assert.Single(charge.Parts));
        Assert.Equal((0.31m, 36L, 0L), (charge.Amount, charge.BilledQuantity, balances["MIN"]));
    }

    [Fact]
    public void A_two_minute_call_with_60_allowance_seconds_left_itemises_a_covered_minute_and_a_0_60_minute()
    {
        var catalog = Build([PerMinute("R", 0.60m)], [new PriceEntry("UK", "*any", 10, "R")], allowances: [Minutes]);
        var balances = new Dictionary<string, long> { ["MIN"] = 60 };

        var charge = Rated(catalog, MondayMorning, 120, balances);

        Assert.Equal(
            [
                new ChargePart(MondayMorning, 0, 60, "*any", "R", 0, 60, 0m),
                new ChargePart(MondayMorning + Duration.FromMinutes(1), 60, 60, "*any", "R", 0, 0, 0.60m),
            ],
            charge.Parts);
        Assert.Equal(0.60m, charge.Amount);
    }

    [Fact]
    public void A_bought_bundle_covers_the_call_once_the_plans_own_allowance_is_used_up()
    {
        var catalog = Build([PerMinute("R", 0.60m, connect: 0.10m)], [new PriceEntry("UK", "*any", 10, "R")], allowances: [Minutes, Bundle]);
        var balances = new Dictionary<string, long> { ["MIN"] = 0, ["BUNDLE"] = 300 };

        var charge = Rated(catalog, MondayMorning, 60, balances);

        Assert.Equal(new ChargePart(MondayMorning, 0, 60, "*any", "R", 0, 60, 0m), Assert.Single(charge.Parts));
        Assert.Equal((0m, "BUNDLE", 60L), (charge.Amount, charge.AllowanceId, charge.AllowanceUsed));
        Assert.Equal((0L, 240L), (balances["MIN"], balances["BUNDLE"]));
    }

    [Fact]
    public void The_plans_own_allowance_is_used_before_a_bought_bundle_while_it_has_seconds_left()
    {
        var catalog = Build([PerMinute("R", 0.60m, connect: 0.10m)], [new PriceEntry("UK", "*any", 10, "R")], allowances: [Minutes, Bundle]);
        var balances = new Dictionary<string, long> { ["MIN"] = 120, ["BUNDLE"] = 300 };

        var charge = Rated(catalog, MondayMorning, 60, balances);

        Assert.Equal((0m, "MIN"), (charge.Amount, charge.AllowanceId));
        Assert.Equal((60L, 300L), (balances["MIN"], balances["BUNDLE"]));
    }

    [Fact]
    public void A_call_that_outlasts_the_plans_last_30_allowance_seconds_pays_0_90_and_leaves_the_bought_bundle_untouched()
    {
        var catalog = Build([PerMinute("R", 0.60m)], [new PriceEntry("UK", "*any", 10, "R")], allowances: [Minutes, Bundle]);
        var balances = new Dictionary<string, long> { ["MIN"] = 30, ["BUNDLE"] = 300 };

        var charge = Rated(catalog, MondayMorning, 120, balances);

        Assert.Equal((0.90m, "MIN", 30L), (charge.Amount, charge.AllowanceId, charge.AllowanceUsed));
        Assert.Equal((0L, 300L), (balances["MIN"], balances["BUNDLE"]));
    }

    [Fact]
    public void A_zero_second_call_with_allowance_left_pays_the_0_10_connect_fee_lifted_to_the_0_25_minimum_and_leaves_the_allowance_alone()
    {
        var rate = PerMinute("R", 0.60m, connect: 0.10m) with { MinimumCharge = 0.25m };
        var catalog = Build([rate], [new PriceEntry("UK", "*any", 10, "R")], allowances: [Minutes]);
        var balances = new Dictionary<string, long> { ["MIN"] = 600 };

        var charge = Rated(catalog, MondayMorning, 0, balances);

        Assert.Equal((0.25m, 0.10m, 0.10m, true), (charge.Amount, charge.ConnectFee, charge.RawCost, charge.MinimumApplied));
        Assert.Equal((0L, (string?)null, 0L, 600L), (charge.BilledQuantity, charge.AllowanceId, charge.AllowanceUsed, balances["MIN"]));
        Assert.Empty(charge.Parts);
    }

    [Fact]
    public void A_call_across_midnight_covered_by_the_allowance_is_one_covered_part_of_60_seconds()
    {
        var start = Instant.FromUtc(2026, 11, 2, 23, 59, 30);
        var catalog = Build([PerSecond("R", 0.60m)], [new PriceEntry("UK", "*any", 10, "R")], allowances: [Minutes]);
        var balances = new Dictionary<string, long> { ["MIN"] = 600 };

        var charge = Rated(catalog, start, 60, balances);

        Assert.Equal(new ChargePart(start, 0, 60, "*any", "R", 0, 60, 0m), Assert.Single(charge.Parts));
        Assert.Equal((0m, 540L), (charge.Amount, balances["MIN"]));
    }
}
