using Billing.Core.Money;
using Billing.Core.Prepaid;

namespace Billing.Core.Tests.Prepaid;

public sealed class WalletAmountTests
{
    private static readonly Currency Gbp = Currency.Of("GBP");

    private static readonly Currency Jpy = Currency.Of("JPY");

    [Theory]
    [InlineData("0.01", "GBP")]
    [InlineData("1000.00", "GBP")]
    [InlineData("999.99", "GBP")]
    [InlineData("1000", "JPY")]
    public void A_top_up_of_at_least_the_minor_unit_and_at_most_the_ceiling_of_1000_is_accepted(string amount, string currency) =>
        Assert.Null(WalletAmount.Problem(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), signed: false, 1000m, Currency.Of(currency)));

    [Theory]
    [InlineData("0", "must be positive")]
    [InlineData("-5", "must be positive")]
    [InlineData("1000.01", "is above the ceiling of 1000 per top-up (prepaid.topUpCeiling)")]
    [InlineData("79228162514264337593543950335", "is above the ceiling of 1000 per top-up (prepaid.topUpCeiling)")]
    [InlineData("0.001", "is finer than GBP's minor unit (at most 2 decimals)")]
    [InlineData("999.999", "is finer than GBP's minor unit (at most 2 decimals)")]
    public void A_top_up_of_zero_less_than_a_penny_or_above_the_ceiling_of_1000_GBP_is_refused(string amount, string problem) =>
        Assert.Equal(problem, WalletAmount.Problem(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), signed: false, 1000m, Gbp));

    [Fact]
    public void A_yen_top_up_with_decimals_is_refused_and_the_same_figure_in_pounds_is_not()
    {
        Assert.Equal("is finer than JPY's minor unit (at most 0 decimals)", WalletAmount.Problem(10.50m, signed: false, 1000m, Jpy));
        Assert.Null(WalletAmount.Problem(10.50m, signed: false, 1000m, Gbp));
    }

    [Theory]
    [InlineData("-1000", null)]
    [InlineData("-0.01", null)]
    [InlineData("2.50", null)]
    [InlineData("0", "must not be zero")]
    [InlineData("-1000.01", "is above the ceiling of 1000 per adjustment (prepaid.topUpCeiling)")]
    [InlineData("-0.005", "is finer than GBP's minor unit (at most 2 decimals)")]
    public void An_adjustment_takes_either_sign_up_to_the_ceiling_of_1000_either_way(string amount, string? problem) =>
        Assert.Equal(problem, WalletAmount.Problem(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), signed: true, 1000m, Gbp));

    [Fact]
    public void Before_the_wallet_is_known_only_the_sign_and_the_ceiling_are_checked()
    {
        Assert.Null(WalletAmount.Problem(0.001m, signed: false, 1000m));
        Assert.Equal("is above the ceiling of 50 per top-up (prepaid.topUpCeiling)", WalletAmount.Problem(50.01m, signed: false, 50m));
        Assert.Equal("must be positive", WalletAmount.Problem(-0.01m, signed: false, 50m));
    }
}
