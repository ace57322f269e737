using System.Globalization;

namespace Billing.Core.Money;

/// <summary>
/// An exact amount in one currency. Adding two currencies is a bug and throws. The amount keeps every
/// decimal it has (a rated charge has up to 6); shown to people it is rounded to the currency's minor
/// unit, half away from zero (<see cref="ToString"/>).
/// </summary>
public readonly record struct Money
{
    public Money(decimal amount, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        Amount = amount;
        Currency = currency;
    }

    public decimal Amount { get; }

    public Currency Currency { get; }

    /// <summary>An amount in the currency with this ISO 4217 code.</summary>
    public static Money Of(decimal amount, string currency) => new(amount, Currency.Of(currency));

    public static Money Zero(Currency currency) => new(0m, currency);

    public static Money operator +(Money a, Money b) => new(a.Amount + b.Amount, Same(a, b));

    public static Money operator -(Money a, Money b) => new(a.Amount - b.Amount, Same(a, b));

    public static Money operator *(Money a, decimal factor) => new(a.Amount * factor, a.Currency);

    /// <summary>The sum of <paramref name="amounts"/> per currency, in the order of the currencies' codes.</summary>
    public static IReadOnlyList<Money> Totals(IEnumerable<Money> amounts)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        return amounts.GroupBy(a => a.Currency).Select(g => new Money(g.Sum(a => a.Amount), g.Key)).OrderBy(t => t.Currency.Code, StringComparer.Ordinal).ToList();
    }

    public Money Add(Money other) => this + other;

    public Money Subtract(Money other) => this - other;

    public Money Multiply(decimal factor) => this * factor;

    /// <summary>Rounds to the currency's minor unit with the one rounding policy of invoices.</summary>
    public Money RoundToMinorUnit() => new(Rounding.ToMinorUnit(Amount, Currency), Currency);

    /// <summary>Rounds to the 6 decimals a rated charge keeps.</summary>
    public Money RoundToChargePrecision() => new(Rounding.ToChargePrecision(Amount), Currency);

    /// <summary>The amount to the currency's minor unit, every minor digit written, without the code: <c>12.50</c>, <c>-0.07</c>, <c>1200</c> (JPY).</summary>
    public string ToMinorUnitString()
    {
        var rounded = RoundToMinorUnit().Amount;
        // A small negative amount rounds to a negative zero, which is written as zero.
        return (rounded == 0m ? 0m : rounded).ToString("F" + Currency.MinorUnit.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>For people: the amount to the minor unit and the code, <c>12.50 GBP</c>.</summary>
    public override string ToString() => $"{ToMinorUnitString()} {Currency.Code}";

    /// <summary>A difference for people: <c>+0.40 GBP</c>, <c>-0.40 GBP</c>, <c>0.00 GBP</c> (what rounds to zero has no sign).</summary>
    public string ToSignedString() => RoundToMinorUnit().Amount > 0m ? "+" + ToString() : ToString();

    /// <summary>For machines (JSON): the exact amount as an invariant decimal, every stored decimal kept, without the code (<c>12.345678</c>).</summary>
    public string ToInvariantString() => Amount.ToString(CultureInfo.InvariantCulture);

    private static Currency Same(Money a, Money b) =>
        a.Currency == b.Currency
            ? a.Currency
            : throw new InvalidOperationException($"Cannot combine {a.Currency.Code} with {b.Currency.Code}.");
}
