namespace Billing.Core.Money;

/// <summary>An exact amount in one currency. Adding two currencies is a bug and throws.</summary>
public readonly record struct Money(decimal Amount, Currency Currency)
{
    public static Money Zero(Currency currency) => new(0m, currency);

    public static Money operator +(Money a, Money b) => new(a.Amount + b.Amount, Same(a, b));

    public static Money operator -(Money a, Money b) => new(a.Amount - b.Amount, Same(a, b));

    public static Money operator *(Money a, decimal factor) => new(a.Amount * factor, a.Currency);

    public Money Add(Money other) => this + other;

    public Money Subtract(Money other) => this - other;

    public Money Multiply(decimal factor) => this * factor;

    /// <summary>Rounds to the currency's minor unit with the one rounding policy of invoices.</summary>
    public Money RoundToMinorUnit() => new(Rounding.ToMinorUnit(Amount, Currency), Currency);

    /// <summary>Rounds to the 6 decimals a rated charge keeps.</summary>
    public Money RoundToChargePrecision() => new(Rounding.ToChargePrecision(Amount), Currency);

    public override string ToString() => $"{Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Currency.Code}";

    private static Currency Same(Money a, Money b) =>
        a.Currency == b.Currency
            ? a.Currency
            : throw new InvalidOperationException($"Cannot combine {a.Currency.Code} with {b.Currency.Code}.");
}
