using Billing.Core.Invoicing;
using Billing.Core.Money;

namespace Billing.Core.Tests.Invoicing;

public sealed class EnteredAmountTests
{
    [Theory]
    [InlineData("0.01", "GBP", AmountSign.Positive)]
    [InlineData("25.00", "GBP", AmountSign.Positive)]
    [InlineData("1000000.00", "GBP", AmountSign.Positive)]
    [InlineData("-5.00", "GBP", AmountSign.NonZero)]
    [InlineData("-1000000", "GBP", AmountSign.NonZero)]
    [InlineData("1200", "JPY", AmountSign.Positive)]
    [InlineData("1.005", "KWD", AmountSign.Positive)]
    public void An_amount_in_the_minor_unit_within_the_ceiling_and_of_its_sign_is_accepted(string amount, string currency, AmountSign sign) =>
        Assert.Null(EnteredAmount.Problem(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), Currency.Of(currency), sign, EnteredAmount.DefaultCeiling));

    [Theory]
    [InlineData("0", "GBP", AmountSign.NonZero, "amount is zero")]
    [InlineData("0.00", "GBP", AmountSign.Positive, "amount is zero")]
    [InlineData("-0.01", "GBP", AmountSign.Positive, "amount -0.01 must be positive")]
    [InlineData("1.005", "GBP", AmountSign.Positive, "amount 1.005 has more decimals than GBP allows (2)")]
    [InlineData("-0.001", "GBP", AmountSign.NonZero, "amount -0.001 has more decimals than GBP allows (2)")]
    [InlineData("1200.5", "JPY", AmountSign.Positive, "amount 1200.5 has more decimals than JPY allows (0)")]
    [InlineData("1000000.01", "GBP", AmountSign.Positive, "amount 1000000.01 is beyond the ceiling of 1000000 GBP (invoicing.amountCeiling)")]
    [InlineData("-1000000.01", "GBP", AmountSign.NonZero, "amount -1000000.01 is beyond the ceiling of 1000000 GBP (invoicing.amountCeiling)")]
    public void A_zero_negative_too_fine_or_too_large_amount_is_refused_with_its_reason(string amount, string currency, AmountSign sign, string reason) =>
        Assert.Equal(reason, EnteredAmount.Problem(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), Currency.Of(currency), sign, EnteredAmount.DefaultCeiling));

    [Fact]
    public void A_one_time_charge_is_positive_and_an_adjustment_goes_either_way()
    {
        Assert.Equal((AmountSign.Positive, AmountSign.NonZero), (EnteredAmount.SignOf(InvoiceLineKind.OneTime), EnteredAmount.SignOf(InvoiceLineKind.Adjustment)));
        Assert.Throws<ArgumentOutOfRangeException>(() => EnteredAmount.SignOf(InvoiceLineKind.Usage));
    }
}
