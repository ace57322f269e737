namespace Billing.Core.Prepaid;

/// <summary>
/// How a prepaid plan treats its wallet: the balances that trigger a notification, how far the
/// balance may go (zero, or minus a credit limit) and how long credit lasts after a top-up.
/// </summary>
/// <param name="Thresholds">balances that notify when the balance falls to or below them (e.g. 5.00, 1.00, 0).</param>
/// <param name="CreditLimit">0: barred at zero; more: usage may take the balance down to minus this, then barred.</param>
/// <param name="ExpiryDays">credit left this many calendar days (in the account's zone, to the same local time) after the last top-up expires; null: never.</param>
public sealed record PrepaidPolicy(IReadOnlyList<decimal> Thresholds, decimal CreditLimit = 0m, int? ExpiryDays = null)
{
    /// <summary>
    /// The longest expiry a catalogue may set (about a hundred years): a moment that many days after any top-up is still
    /// on the calendar, where ten million days would not be and would stop rating every wallet of the plan.
    /// </summary>
    public const int MaxExpiryDays = 36_500;

    /// <summary>Barred at zero, told when it happens; credit never expires.</summary>
    public static readonly PrepaidPolicy Default = new([0m]);

    /// <summary>The lowest the balance may go: zero, or minus the credit limit.</summary>
    public decimal Floor => -CreditLimit;

    public bool BarsAtZero => CreditLimit == 0m;
}
