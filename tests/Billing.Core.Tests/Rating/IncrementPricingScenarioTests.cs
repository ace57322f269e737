using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;
using static Billing.Core.Tests.Rating.ScenarioCatalog;

namespace Billing.Core.Tests.Rating;

/// <summary>What whole increments cost, summed exactly over parts, and which of two equal-weight rates is cheaper.</summary>
public sealed class IncrementPricingScenarioTests
{
    private static TariffCatalog OneRate(Rate rate) => Build([rate], [new PriceEntry("UK", "*any", 10, rate.Id)]);

    [Fact]
    public void At_1_20_a_minute_in_2_second_increments_a_61_second_call_is_31_increments_costing_1_24()
    {
        var charge = Rated(OneRate(new Rate { Id = "R", Steps = [new RateStep(0, 1.20m, 60, 2)] }), MondayMorning, 61);

        Assert.Equal((62L, 1.24m), (charge.BilledQuantity, charge.Amount));
    }

    [Fact]
    public void At_1_00_a_minute_in_7_second_increments_a_60_second_call_is_9_increments_costing_1_05()
    {
        var charge = Rated(OneRate(new Rate { Id = "R", Steps = [new RateStep(0, 1.00m, 60, 7)] }), MondayMorning, 60);

        Assert.Equal((63L, 1.05m), (charge.BilledQuantity, charge.Amount));
    }

    [Fact]
    public void Thirty_seconds_at_0_70_a_minute_then_30_seconds_at_0_02_a_second_cost_0_35_plus_0_60()
    {
        var rate = new Rate { Id = "R", Steps = [new RateStep(0, 0.70m, 60, 1), new RateStep(30, 0.02m, 1, 1)] };

        var charge = Rated(OneRate(rate), MondayMorning, 60);

        Assert.Equal([0.35m, 0.60m], charge.Parts.Select(p => p.Cost));
        Assert.Equal(0.95m, charge.Amount);
    }

    [Fact]
    public void A_66_second_call_at_0_70_a_minute_over_six_bands_costs_exactly_0_77_rounded_down_not_0_7699()
    {
        // Bands of 20, 20, 20, 2, 2 and 2 s: each part's cost (0.70 × 20 / 60, 0.70 × 2 / 60) does not terminate
        // and is rounded down in its last digit, so adding them leaves 0.7699…9; the sum is 0.70 × 66 / 60 = 0.77.
        var rate = new Rate { Id = "R", Steps = [new RateStep(0, 0.70m, 60, 1)], Rounding = RoundingMethod.Down, RoundingDecimals = 4 };
        (int From, int To)[] bands = [(0, 20), (20, 40), (40, 60), (60, 62), (62, 64)];
        var timings = bands.Select((b, i) => new Timing { Id = $"B{i + 1}", Start = new LocalTime(10, 0).PlusSeconds(b.From), End = new LocalTime(10, 0).PlusSeconds(b.To) }).ToArray();
        var catalog = Build([rate], [.. timings.Select(t => new PriceEntry("UK", t.Id, 20, "R")), new PriceEntry("UK", "*any", 10, "R")], timings);

        var charge = Rated(catalog, MondayMorning, 66);

        Assert.Equal(
            [("B1", 0L, 20L), ("B2", 20L, 20L), ("B3", 40L, 20L), ("B4", 60L, 2L), ("B5", 62L, 2L), ("*any", 64L, 2L)],
            charge.Parts.Select(p => (p.TimingId, p.Offset, p.BilledQuantity)));
        Assert.Equal(0.77m, charge.Amount);
    }

    [Theory]
    [InlineData(0.50, 60, 0.01, 1, "R_A")]   // 0.50 a minute is cheaper than 0.01 a second (0.60 a minute)
    [InlineData(0.01, 1, 0.50, 60, "R_B")]
    public void On_equal_weight_the_cheaper_price_per_second_wins_whatever_the_units(decimal priceA, long unitA, decimal priceB, long unitB, string winner)
    {
        var a = new Rate { Id = "R_A", Steps = [new RateStep(0, priceA, unitA, 1)] };
        var b = new Rate { Id = "R_B", Steps = [new RateStep(0, priceB, unitB, 1)] };
        var catalog = Build([a, b], [new PriceEntry("UK", "*any", 10, "R_A"), new PriceEntry("UK", "*any", 10, "R_B")]);

        var charge = Rated(catalog, MondayMorning, 60);

        Assert.Equal(winner, Assert.Single(charge.Parts).RateId);
    }

    [Fact]
    public void On_equal_weight_price_and_connect_fee_rate_R_A_wins_over_R_B_written_before_it()
    {
        var catalog = Build([PerSecond("R_B", 0.60m), PerSecond("R_A", 0.60m)], [new PriceEntry("UK", "*any", 10, "R_B"), new PriceEntry("UK", "*any", 10, "R_A")]);

        var charge = Rated(catalog, MondayMorning, 60);

        Assert.Equal(("R_A", 0.60m), (Assert.Single(charge.Parts).RateId, charge.Amount));
    }

    [Fact]
    public void Data_over_its_first_megabyte_is_itemised_in_two_parts_that_both_start_at_the_sessions_start()
    {
        const long Megabyte = 1_048_576;
        var rate = new Rate { Id = "DATA", Steps = [new RateStep(0, 1.00m, Megabyte, 1024), new RateStep(Megabyte, 0.50m, Megabyte, 1024)] };
        var catalog = new TariffCatalog
        {
            Version = "scenario",
            Destinations = new DestinationTable([]),
            Timings = new Dictionary<string, Timing>(),
            Rates = new Dictionary<string, Rate> { ["DATA"] = rate },
            Plans = new Dictionary<string, Plan> { [PlanId] = new() { Id = PlanId, Currency = "GBP", TimeZone = "Europe/London", Data = [new PriceEntry("*any", "*any", 10, "DATA")] } },
        };

        var outcome = new Rater(catalog).Rate(PlanId, new RatingRequest(ServiceType.Data, null, MondayMorning, 2 * Megabyte), null);

        Assert.Equal(
            [
                new ChargePart(MondayMorning, 0, Megabyte, "*any", "DATA", 0, 0, 1.00m),
                new ChargePart(MondayMorning, Megabyte, Megabyte, "*any", "DATA", 1, 0, 0.50m),
            ],
            outcome.Charge!.Parts);
        Assert.Equal(1.50m, outcome.Charge.Amount);
    }
}
