using System.Globalization;
using Billing.Core.Money;

namespace Billing.Core.Prepaid;

/// <summary>
/// What a person or a payment gateway may post to a wallet: a top-up (positive) or a manual
/// adjustment (either sign, not zero), no larger than the ceiling per posting and no finer than the
/// wallet currency's minor unit. A typo of a few digits, or a fraction of a penny, is refused rather
/// than credited.
/// </summary>
public static class WalletAmount
{
    /// <summary>The default ceiling per posting, in the wallet currency's major unit (<c>prepaid.topUpCeiling</c>).</summary>
    public const decimal DefaultCeiling = 1_000m;

    /// <summary>What is wrong with <paramref name="amount"/>, said of it ("must be positive"), or null when it may be posted.</summary>
    /// <param name="signed">An adjustment (either sign) rather than a top-up (positive only).</param>
    /// <param name="ceiling">The largest amount per posting (its absolute value, for an adjustment).</param>
    /// <param name="currency">The wallet's currency; null before the wallet is known: then only the sign and the ceiling are checked.</param>
    public static string? Problem(decimal amount, bool signed, decimal ceiling, Currency? currency = null)
    {
        return AmountCheck.Problem(amount, signed ? AmountSign.NonZero : AmountSign.Positive, ceiling, currency) switch
        {
            null => null,
            AmountProblem.Zero => signed ? "must not be zero" : "must be positive",
            AmountProblem.NotPositive => "must be positive",
            AmountProblem.AboveCeiling => $"is above the ceiling of {ceiling.ToString(CultureInfo.InvariantCulture)} per {(signed ? "adjustment" : "top-up")} (prepaid.topUpCeiling)",
            _ => $"is finer than {currency!.Code}'s minor unit (at most {currency.MinorUnit} decimals)",
        };
    }
}
