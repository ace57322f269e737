using Billing.Core.Money;

namespace Billing.Core.Tests.Money;

using Money = Billing.Core.Money.Money;

public class MoneyTests
{
    private static readonly Currency Gbp = Currency.Of("GBP");
    private static readonly Currency Eur = Currency.Of("EUR");

    public static TheoryData<decimal, string, decimal> MinorUnitRounding { get; } = new()
    {
        { 2.345m, "GBP", 2.35m },
        { -2.345m, "GBP", -2.35m },
        { 2.335m, "GBP", 2.34m },
        { 2.325m, "GBP", 2.33m },
        { 2.344999m, "GBP", 2.34m },
        { 0.005m, "EUR", 0.01m },
        { -0.005m, "EUR", -0.01m },
        { 0.004999m, "EUR", 0.00m },
        { 2.5m, "JPY", 3m },
        { 3.5m, "JPY", 4m },
        { -2.5m, "JPY", -3m },
        { 2.4999m, "JPY", 2m },
        { 1.2345m, "KWD", 1.235m },
        { 1.2344m, "KWD", 1.234m },
        { 0m, "GBP", 0m },
    };

    public static TheoryData<decimal, decimal> ChargeRounding { get; } = new()
    {
        { 0.0000005m, 0.000001m },
        { -0.0000005m, -0.000001m },
        { 0.0000004999m, 0m },
        { 1.2345675m, 1.234568m },
        { 1.2345665m, 1.234567m },
        { 0.7002m, 0.7002m },
        { 12.123456m, 12.123456m },
    };

    [Theory]
    [MemberData(nameof(MinorUnitRounding))]
    public void RoundToMinorUnit_RoundsHalfAwayFromZero_AtTheCurrencysMinorUnit(decimal amount, string currency, decimal expected)
    {
        var rounded = new Money(amount, Currency.Of(currency)).RoundToMinorUnit();

        Assert.Equal(expected, rounded.Amount);
        Assert.Equal(currency, rounded.Currency.Code);
    }

    [Theory]
    [MemberData(nameof(MinorUnitRounding))]
    public void ToMinorUnit_MatchesMoneyRounding_ForTheSameAmount(decimal amount, string currency, decimal expected) =>
        Assert.Equal(expected, Rounding.ToMinorUnit(amount, Currency.Of(currency)));

    [Theory]
    [MemberData(nameof(ChargeRounding))]
    public void RoundToChargePrecision_KeepsSixDecimals_RoundingHalfAwayFromZero(decimal amount, decimal expected)
    {
        var rounded = new Money(amount, Gbp).RoundToChargePrecision();

        Assert.Equal(expected, rounded.Amount);
        Assert.Equal(expected, Rounding.ToChargePrecision(amount));
        Assert.Equal(6, Rounding.ChargeDecimals);
    }

    [Theory]
    [InlineData("GBP", 2)]
    [InlineData("EUR", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KWD", 3)]
    public void Of_KnowsTheMinorUnit_WhenCurrencyIsKnown(string code, int minorUnit)
    {
        var currency = Currency.Of(code);
        Assert.Equal(code, currency.Code);
        Assert.Equal(minorUnit, currency.MinorUnit);
    }

    [Theory]
    [InlineData("XYZ")]
    [InlineData("gbp")]
    [InlineData("")]
    public void Of_Throws_WhenCurrencyIsUnknown(string code)
    {
        var e = Assert.Throws<ArgumentException>(() => Currency.Of(code));
        Assert.Contains($"'{code}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_SumsExactly_WhenSameCurrency()
    {
        var sum = new Money(0.1m, Gbp) + new Money(0.2m, Gbp);
        Assert.Equal(new Money(0.3m, Gbp), sum);
        Assert.Equal(new Money(0.3m, Gbp), new Money(0.1m, Gbp).Add(new Money(0.2m, Gbp)));
    }

    [Fact]
    public void Subtract_GoesNegative_WhenSubtrahendIsLarger() =>
        Assert.Equal(new Money(-0.01m, Gbp), new Money(1.00m, Gbp) - new Money(1.01m, Gbp));

    [Fact]
    public void Multiply_KeepsCurrency_WhenScaledByRate() =>
        Assert.Equal(new Money(1.234567m, Eur), new Money(0.0205761166666667m, Eur).Multiply(60m).RoundToChargePrecision());

    [Fact]
    public void Add_Throws_WhenCurrenciesDiffer()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Money(1m, Gbp) + new Money(1m, Eur));
        Assert.Contains("GBP", e.Message, StringComparison.Ordinal);
        Assert.Contains("EUR", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subtract_Throws_WhenCurrenciesDiffer() =>
        Assert.Throws<InvalidOperationException>(() => new Money(1m, Gbp).Subtract(new Money(1m, Eur)));

    [Theory]
    [InlineData(12.5, "GBP", "12.50 GBP", "+12.50 GBP")]
    [InlineData(2.345, "GBP", "2.35 GBP", "+2.35 GBP")]
    [InlineData(-2.345, "GBP", "-2.35 GBP", "-2.35 GBP")]
    [InlineData(-0.004, "GBP", "0.00 GBP", "0.00 GBP")]
    [InlineData(0, "EUR", "0.00 EUR", "0.00 EUR")]
    [InlineData(1199.5, "JPY", "1200 JPY", "+1200 JPY")]
    [InlineData(1.2345, "KWD", "1.235 KWD", "+1.235 KWD")]
    public void ToString_ShowsTheAmountToTheCurrencysMinorUnit_RoundedHalfAwayFromZero(decimal amount, string currency, string shown, string signed)
    {
        var money = Money.Of(amount, currency);

        Assert.Equal(shown, money.ToString());
        Assert.Equal(signed, money.ToSignedString());
    }

    [Theory]
    [InlineData("1.000000", "1.000000")]
    [InlineData("0.123456", "0.123456")]
    [InlineData("-3.5", "-3.5")]
    public void ToInvariantString_KeepsEveryStoredDecimal_ForJson(string amount, string expected) =>
        Assert.Equal(expected, Money.Of(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), "GBP").ToInvariantString());

    [Fact]
    public void Totals_SumsEachCurrencyApart_InTheOrderOfTheirCodes() =>
        Assert.Equal([Money.Of(1.50m, "EUR"), Money.Of(0.30m, "GBP")], Money.Totals([Money.Of(0.1m, "GBP"), Money.Of(1.50m, "EUR"), Money.Of(0.2m, "GBP")]));

    [Fact]
    public void Constructor_Throws_WithoutACurrency() =>
        Assert.Throws<ArgumentNullException>(() => new Money(1m, null!));

    [Fact]
    public void Zero_IsZeroInTheGivenCurrency() =>
        Assert.Equal(new Money(0m, Eur), Money.Zero(Eur));
}
