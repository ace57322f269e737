namespace Billing.Core.Rating;

/// <summary>
/// Why a usage record is held instead of charged: the reason codes of <c>rating_holds.reason</c>,
/// reported by `billing suspense` and tried again by later rating runs.
/// </summary>
public static class HoldReasons
{
    /// <summary>No subscription of the number is in force at the event: tried again once one is imported.</summary>
    public const string UnknownSubscriber = "unknown-subscriber";

    /// <summary>No catalogue version is in force at the event.</summary>
    public const string NoCatalog = "no-catalog";

    /// <summary>A prepaid charge in another currency than the account's wallet.</summary>
    public const string WalletCurrency = "wallet-currency";

    /// <summary>The subscriber's plan is not in the catalogue version in force.</summary>
    public const string UnknownPlan = "unknown-plan";

    /// <summary>The plan prices no destination group the number falls in.</summary>
    public const string NoTariff = "no-tariff";

    /// <summary>No price entry's time band holds the moment.</summary>
    public const string NoTiming = "no-timing";

    /// <summary>No rating profile of the subject, its fallback subjects or "*any" is active at the event's time (CGRateS catalogues).</summary>
    public const string NoRatingProfile = "no-rating-profile";

    /// <summary>Dunning has the subscription suspended and <c>dunning.suspendedUsage</c> is <c>hold</c>: tried again once it is reactivated (or the setting is <c>rate</c>).</summary>
    public const string Suspended = "suspended";

    public static readonly IReadOnlyList<string> All = [UnknownSubscriber, NoCatalog, WalletCurrency, UnknownPlan, NoTariff, NoTiming, NoRatingProfile, Suspended];
}
