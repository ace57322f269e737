using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Tests.Rating;

namespace Billing.Core.Tests.Catalog;

/// <summary>
/// A rate the engine cannot price is a bug of the catalogue's loader, refused when the catalogue is
/// compiled for rating (never a charge computed from it): every rule at its boundary.
/// </summary>
public sealed class CompiledRateValidationTests
{
    private static Rate Valid => ScenarioCatalog.PerMinute("R", 0.60m);

    private static ArgumentException Refused(Rate rate) =>
        Assert.Throws<ArgumentException>(() => new Rater(ScenarioCatalog.Build([rate], [new PriceEntry("UK", "*any", 10, rate.Id)])));

    private static void Accepted(Rate rate, decimal oneMinute)
    {
        var catalog = ScenarioCatalog.Build([rate], [new PriceEntry("UK", "*any", 10, rate.Id)]);

        Assert.Equal(oneMinute, ScenarioCatalog.Rated(catalog, ScenarioCatalog.MondayMorning, 60).Amount);
    }

    [Fact]
    public void A_rate_without_steps_is_refused()
    {
        Assert.Equal("Rate 'R' has no steps. (Parameter 'rate')", Refused(Valid with { Steps = [] }).Message);
        Assert.Equal("Rate 'R' has no steps. (Parameter 'rate')", Refused(Valid with { Steps = null! }).Message);
    }

    [Fact]
    public void A_rate_whose_first_step_starts_at_30_seconds_is_refused()
    {
        var e = Refused(Valid with { Steps = [new RateStep(30, 0.60m, 60, 60), new RateStep(90, 0.60m, 60, 1)] });

        Assert.Equal("Rate 'R': the first step must start at 0, not 30. (Parameter 'rate')", e.Message);
    }

    [Theory]
    [InlineData(0, 1, 0.60)]
    [InlineData(-60, 1, 0.60)]
    [InlineData(60, 0, 0.60)]
    [InlineData(60, -1, 0.60)]
    [InlineData(60, 1, -0.01)]
    public void A_step_with_a_unit_or_increment_below_1_or_a_negative_price_is_refused_naming_the_step_as_written(long unit, long increment, decimal price)
    {
        // The faulty step is written second, after the step at 60 s: it is named by its place in the rate as written.
        var e = Refused(Valid with { Steps = [new RateStep(60, 0.60m, 60, 1), new RateStep(0, price, unit, increment)] });

        Assert.Equal("Rate 'R' step 1: unit and increment must be positive and price not negative. (Parameter 'rate')", e.Message);
    }

    [Fact]
    public void A_later_step_with_an_increment_of_0_is_refused_too()
    {
        var e = Refused(Valid with { Steps = [new RateStep(0, 0.60m, 60, 60), new RateStep(60, 0.60m, 60, 0)] });

        Assert.Equal("Rate 'R' step 1: unit and increment must be positive and price not negative. (Parameter 'rate')", e.Message);
    }

    [Fact]
    public void A_free_step_of_unit_1_and_increment_1_is_accepted_and_a_minute_costs_0() =>
        Accepted(Valid with { Steps = [new RateStep(0, 0m, 1, 1)] }, 0m);

    [Fact]
    public void Two_steps_starting_at_60_seconds_are_refused()
    {
        var e = Refused(Valid with { Steps = [new RateStep(0, 0.60m, 60, 60), new RateStep(60, 0.60m, 60, 1), new RateStep(60, 0.30m, 60, 1)] });

        Assert.Equal("Rate 'R': two steps start at 60. (Parameter 'rate')", e.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(29)]
    public void Rounding_decimals_outside_0_to_28_are_refused(int decimals) =>
        Assert.Equal("Rate 'R': rounding decimals must be 0..28. (Parameter 'rate')", Refused(Valid with { RoundingDecimals = decimals }).Message);

    [Theory]
    [InlineData(0, 1)]        // 0.60 rounded up to a whole pound
    [InlineData(28, 0.60)]
    public void Rounding_decimals_of_0_and_28_are_accepted(int decimals, decimal oneMinute) =>
        Accepted(Valid with { RoundingDecimals = decimals, Rounding = RoundingMethod.Up }, oneMinute);

    [Theory]
    [InlineData(-0.01, 0, 0)]
    [InlineData(0, -0.01, 0)]
    [InlineData(0, 0, -0.01)]
    public void A_negative_connect_fee_minimum_charge_or_max_cost_is_refused(decimal connectFee, decimal minimumCharge, decimal maxCost)
    {
        var e = Refused(Valid with { ConnectFee = connectFee, MinimumCharge = minimumCharge, MaxCost = maxCost });

        Assert.Equal("Rate 'R': connect fee, minimum charge and max cost must not be negative. (Parameter 'rate')", e.Message);
    }

    [Fact]
    public void A_connect_fee_minimum_charge_and_max_cost_of_0_are_accepted_and_a_minute_costs_0_60() =>
        Accepted(Valid with { ConnectFee = 0m, MinimumCharge = 0m, MaxCost = 0m }, 0.60m);
}
