namespace Billing.Core.Money;

/// <summary>Which amounts an entry accepts: money in and charges are positive; an adjustment goes either way.</summary>
public enum AmountSign
{
    Positive,
    NonZero,
}

/// <summary>What is wrong with an amount a person or a file enters, first problem first.</summary>
public enum AmountProblem
{
    Zero,
    NotPositive,
    AboveCeiling,
    FinerThanMinorUnit,
}

/// <summary>
/// The one rule for an amount entered by hand or by file (a payment, a one-time charge, an adjustment,
/// a wallet top-up): not zero, of the sign its kind takes, within a ceiling — a typo of a few digits is
/// refused rather than posted — and no finer than the currency's minor unit. Callers say the problem
/// in their own words.
/// </summary>
public static class AmountCheck
{
    /// <param name="currency">The currency when known; null checks only the sign and the ceiling.</param>
    public static AmountProblem? Problem(decimal amount, AmountSign sign, decimal ceiling, Currency? currency)
    {
        if (amount == 0m)
        {
            return AmountProblem.Zero;
        }

        if (sign == AmountSign.Positive && amount < 0m)
        {
            return AmountProblem.NotPositive;
        }

        if (Math.Abs(amount) > ceiling)
        {
            return AmountProblem.AboveCeiling;
        }

        return currency is not null && Rounding.ToMinorUnit(amount, currency) != amount ? AmountProblem.FinerThanMinorUnit : null;
    }
}
