using Billing.Core.Money;

namespace Billing.Core.Tests.Money;

using Money = Billing.Core.Money.Money;

/// <summary>The arithmetic an invoice and a wallet do with amounts, each stated with its exact result.</summary>
public sealed class MoneyArithmeticScenarioTests
{
    private static readonly Currency Gbp = Currency.Of("GBP");

    [Fact]
    public void Subtracting_a_0_35_credit_from_a_1_20_charge_leaves_0_85_in_the_same_currency() =>
        Assert.Equal(new Money(0.85m, Gbp), new Money(1.20m, Gbp).Subtract(new Money(0.35m, Gbp)));

    [Fact]
    public void Adding_a_0_35_charge_to_1_20_makes_1_55() =>
        Assert.Equal(new Money(1.55m, Gbp), new Money(1.20m, Gbp).Add(new Money(0.35m, Gbp)));

    [Fact]
    public void Combining_pounds_with_euros_is_refused_naming_both_currencies()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Money(1.00m, Gbp) - new Money(1.00m, Currency.Of("EUR")));

        Assert.Equal("Cannot combine GBP with EUR.", e.Message);
    }

    [Fact]
    public void An_amount_is_written_with_a_decimal_point_and_its_currency_code() =>
        Assert.Equal("1234.50 GBP", new Money(1234.50m, Gbp).ToString());

    [Fact]
    public void A_currency_is_written_as_its_code() =>
        Assert.Equal("JPY", Currency.Of("JPY").ToString());

    [Fact]
    public void Rounding_to_a_minor_unit_without_a_currency_is_refused_as_a_missing_argument() =>
        Assert.Throws<ArgumentNullException>(() => Rounding.ToMinorUnit(1.005m, null!));

    [Fact]
    public void Asking_for_no_currency_code_is_refused_naming_the_code() =>
        Assert.Equal("code", Assert.Throws<ArgumentNullException>(() => Currency.Of(null!)).ParamName);
}
