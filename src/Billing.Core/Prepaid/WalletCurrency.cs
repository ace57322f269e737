using Billing.Core.Catalog;
using Billing.Core.Money;
using Billing.Core.Rating;

namespace Billing.Core.Prepaid;

/// <summary>
/// The one rule between prepaid charges and wallets: a wallet holds one currency — the account's,
/// in which it was opened — and a prepaid charge is taken from it only in that currency, so the
/// plan that prices the usage must price in it.
/// </summary>
public static class WalletCurrency
{
    /// <summary>
    /// Why usage priced by <paramref name="plan"/> cannot be taken from the wallet of
    /// <paramref name="subscriber"/>'s account (in <paramref name="wallet"/>, or the account's currency
    /// when it has none yet), or null when it can (or the account is postpaid).
    /// </summary>
    public static string? Problem(Plan plan, Subscriber subscriber, Currency? wallet)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(subscriber);
        if (!subscriber.Prepaid)
        {
            return null;
        }

        var walletCode = (wallet ?? subscriber.Currency).Code;
        if (!string.Equals(plan.Currency, walletCode, StringComparison.Ordinal))
        {
            return $"plan {plan.Id} prices in {plan.Currency} but account {subscriber.AccountId}'s wallet is in {walletCode}: the plan's currency must be the account's";
        }

        return string.Equals(plan.Currency, subscriber.Currency.Code, StringComparison.Ordinal)
            ? null
            : $"plan {plan.Id} prices in {plan.Currency} but account {subscriber.AccountId} is billed in {subscriber.Currency.Code}: the plan's currency must be the account's";
    }
}
