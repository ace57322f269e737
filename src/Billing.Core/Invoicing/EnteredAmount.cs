using System.Globalization;
using Billing.Core.Money;

namespace Billing.Core.Invoicing;

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
        return AmountCheck.Problem(amount, sign, ceiling, currency) switch
        {
            null => null,
            AmountProblem.Zero => "amount is zero",
            AmountProblem.NotPositive => $"amount {text} must be positive",
            AmountProblem.AboveCeiling => $"amount {text} is beyond the ceiling of {ceiling.ToString(CultureInfo.InvariantCulture)} {currency.Code} (invoicing.amountCeiling)",
            _ => $"amount {text} has more decimals than {currency.Code} allows ({currency.MinorUnit})",
        };
    }

    /// <summary>A one-time charge is positive (a credit is an adjustment); an adjustment has either sign.</summary>
    public static AmountSign SignOf(InvoiceLineKind kind) => kind switch
    {
        InvoiceLineKind.OneTime => AmountSign.Positive,
        InvoiceLineKind.Adjustment => AmountSign.NonZero,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "only one-time charges and adjustments are entered by hand"),
    };
}
