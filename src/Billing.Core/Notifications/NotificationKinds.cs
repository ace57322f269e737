namespace Billing.Core.Notifications;

/// <summary>What a notification is about: the codes of <c>notifications.kind</c>, each with a template per language.</summary>
public static class NotificationKinds
{
    /// <summary>The wallet's balance fell through one of the plan's thresholds above its floor.</summary>
    public const string LowBalance = "low-balance";

    /// <summary>The wallet reached zero on a plan with no credit limit: the subscriber is barred.</summary>
    public const string Exhausted = "exhausted";

    /// <summary>The wallet reached minus the plan's credit limit: the subscriber is barred.</summary>
    public const string CreditLimit = "credit-limit";

    /// <summary>Credit left too long after the last top-up was forfeited.</summary>
    public const string Expired = "expired";

    /// <summary>A top-up receipt.</summary>
    public const string TopUp = "topup";

    /// <summary>The kinds a wallet's balance or expiry causes (not a payment).</summary>
    public static readonly IReadOnlyList<string> WalletEvents = [LowBalance, Exhausted, CreditLimit, Expired];

    public static readonly IReadOnlyList<string> All = [.. WalletEvents, TopUp];
}
