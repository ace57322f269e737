using System.Globalization;
using Billing.Core.Money;

namespace Billing.Core.Invoicing;

/// <summary>Which amounts an entry accepts: money in and charges are positive; an adjustment goes either way.</summary>
public enum AmountSign
{
    Positive,
    NonZero,
}

/// <summary>
/// The rules for an amount a person or a file enters (a one-time charge, a manual adjustment, a
/// payment): in the account's currency, no finer than its minor unit, not zero, of the sign its kind
/// takes, and within a ceiling — a typo of a few digits is refused rather than billed.
/// </summary>
public static class EnteredAmount
{
    /// <summary>The default ceiling, in the currency's major unit.</summary>
    public const decimal DefaultCeiling = 1_000_000m;

    /// <summary>What is wrong with <paramref name="amount"/>, or null when it is acceptable.</summary>
    public static string? Problem(decimal amount, Currency currency, AmountSign sign, decimal ceiling)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var text = amount.ToString(CultureInfo.InvariantCulture);
        if (amount == 0m)
        {
            return "amount is zero";
        }

        if (sign == AmountSign.Positive && amount < 0m)
        {
            return $"amount {text} must be positive";
        }

        if (Rounding.ToMinorUnit(amount, currency) != amount)
        {
            return $"amount {text} has more decimals than {currency.Code} allows ({currency.MinorUnit})";
        }

        if (Math.Abs(amount) > ceiling)
        {
            return $"amount {text} is beyond the ceiling of {ceiling.ToString(CultureInfo.InvariantCulture)} {currency.Code} (invoicing.amountCeiling)";
        }

        return null;
    }

    /// <summary>A one-time charge is positive (a credit is an adjustment); an adjustment has either sign.</summary>
    public static AmountSign SignOf(InvoiceLineKind kind) => kind switch
    {
        InvoiceLineKind.OneTime => AmountSign.Positive,
        InvoiceLineKind.Adjustment => AmountSign.NonZero,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "only one-time charges and adjustments are entered by hand"),
    };
}
