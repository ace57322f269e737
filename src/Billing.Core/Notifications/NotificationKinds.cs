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

    /// <summary>The first dunning reminder (<c>dunning.csv</c> names the layout of each e-mail and letter step; these are the shipped ones).</summary>
    public const string DunningReminder = "dunning-reminder";

    public const string DunningSecondReminder = "dunning-second-reminder";

    /// <summary>The e-mail that goes with the final-notice letter.</summary>
    public const string DunningFinalNotice = "dunning-final-notice";

    /// <summary>Dunning suspended the account's service.</summary>
    public const string DunningSuspended = "dunning-suspended";

    /// <summary>A payment (or credit note) cleared what was overdue: service is back.</summary>
    public const string DunningReactivated = "dunning-reactivated";

    /// <summary>Layouts of dunning messages are named with this prefix; an operator may add more (dunning-business-reminder …).</summary>
    public const string DunningPrefix = "dunning-";

    public static readonly IReadOnlyList<string> Dunning = [DunningReminder, DunningSecondReminder, DunningFinalNotice, DunningSuspended, DunningReactivated];

    /// <summary>The kinds a wallet's balance or expiry causes (not a payment).</summary>
    public static readonly IReadOnlyList<string> WalletEvents = [LowBalance, Exhausted, CreditLimit, Expired];

    public static readonly IReadOnlyList<string> All = [.. WalletEvents, TopUp, .. Dunning];
}
