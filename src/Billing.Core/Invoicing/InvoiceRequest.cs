using Billing.Core.Accounts;
using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Money;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Invoicing;

/// <summary>The account's terms an invoice is computed under.</summary>
public sealed record AccountTerms(string AccountId, Currency Currency, string TaxRegion, PaymentType PaymentType, int PaymentTermsDays = 14)
{
    public string AccountId { get; } = Require.Text(AccountId, nameof(AccountId));

    public Currency Currency { get; } = Currency ?? throw new ArgumentNullException(nameof(Currency));

    public string TaxRegion { get; } = Require.Text(TaxRegion, nameof(TaxRegion));

    public int PaymentTermsDays { get; } = (int)Require.NotNegative(PaymentTermsDays, nameof(PaymentTermsDays));
}

/// <summary>
/// A subscription on a plan over the local days [<paramref name="From"/>, <paramref name="To"/>)
/// (<paramref name="To"/> null = still open). The caller takes an instant's local date in the
/// account's zone: a plan change at any time of day Z gives the old plan until Z (exclusive) and the
/// new one from Z, so no day is billed twice and none is missed.
/// </summary>
public sealed record SubscriptionPeriod(string SubscriptionId, string Msisdn, string PlanId, LocalDate From, LocalDate? To)
{
    public string SubscriptionId { get; } = Require.Text(SubscriptionId, nameof(SubscriptionId));

    public string PlanId { get; } = Require.Text(PlanId, nameof(PlanId));

    public LocalDate? To { get; } = To is { } to ? Require.After(to, From, nameof(To)) : null;

    public bool Covers(LocalDate day) => day >= From && (To is null || day < To);
}

/// <summary>A recurring line of an earlier invoice: fee <paramref name="FeeId"/> of a plan, billed for [<paramref name="From"/>, <paramref name="To"/>).</summary>
public sealed record IssuedRecurringLine(string SubscriptionId, string Msisdn, string PlanId, string FeeId, LocalDate From, LocalDate To, decimal Amount, string TaxCategory)
{
    public string SubscriptionId { get; } = Require.Text(SubscriptionId, nameof(SubscriptionId));

    public string PlanId { get; } = Require.Text(PlanId, nameof(PlanId));

    public string FeeId { get; } = Require.Text(FeeId, nameof(FeeId));

    public LocalDate To { get; } = Require.After(To, From, nameof(To));

    public string TaxCategory { get; } = Require.Text(TaxCategory, nameof(TaxCategory));

    public int Days => Period.DaysBetween(From, To);

    public bool Covers(LocalDate day) => day >= From && day < To;
}

/// <summary>
/// Rated usage of one subscription, aggregated by the caller per (plan, service, destination group,
/// tax category): <paramref name="Quantity"/> in the service's unit (seconds, events, bytes), the
/// allowance used, the number of charges and the exact sum of their 6-decimal amounts.
/// </summary>
public sealed record UsageSummary(
    string SubscriptionId,
    string Msisdn,
    string PlanId,
    ServiceType Service,
    string DestinationGroup,
    string TaxCategory,
    long Quantity,
    long AllowanceUsed,
    long ChargeCount,
    decimal Amount)
{
    public string SubscriptionId { get; } = Require.Text(SubscriptionId, nameof(SubscriptionId));

    public string PlanId { get; } = Require.Text(PlanId, nameof(PlanId));

    public string DestinationGroup { get; } = Require.Text(DestinationGroup, nameof(DestinationGroup));

    public string TaxCategory { get; } = Require.Text(TaxCategory, nameof(TaxCategory));

    public long Quantity { get; } = Require.NotNegative(Quantity, nameof(Quantity));

    public long AllowanceUsed { get; } = Require.NotNegative(AllowanceUsed, nameof(AllowanceUsed));

    public long ChargeCount { get; } = Require.NotNegative(ChargeCount, nameof(ChargeCount));
}

/// <summary>Charges of a cycle already invoiced that arrived later: invoiced on the next invoice with their original cycle.</summary>
public sealed record LateUsageSummary(UsageSummary Usage, BillCycle OriginalCycle)
{
    public UsageSummary Usage { get; } = Usage ?? throw new ArgumentNullException(nameof(Usage));
}

/// <summary>A one-time charge (or, negative, a goodwill credit) in the account's currency, at most its minor unit's decimals.</summary>
public sealed record OneTimeCharge(string Id, string Description, decimal Amount, string TaxCategory, string? Msisdn, LocalDate Date)
{
    public string Id { get; } = Require.Text(Id, nameof(Id));

    public string TaxCategory { get; } = Require.Text(TaxCategory, nameof(TaxCategory));
}

public enum AdjustmentKind
{
    /// <summary>The difference a re-rate made to usage already on an issued invoice.</summary>
    Rerate,

    /// <summary>Entered by a person.</summary>
    Manual,
}

/// <summary>
/// A correction for the next invoice; <paramref name="Amount"/> may keep 6 decimals (a re-rate delta)
/// and has either sign. Re-rate deltas of one original invoice (and tax category) become one line.
/// </summary>
public sealed record Adjustment(string Id, string Description, decimal Amount, string TaxCategory, AdjustmentKind Kind, string? OriginalInvoiceNumber, LocalDate Date)
{
    public string Id { get; } = Require.Text(Id, nameof(Id));

    public string TaxCategory { get; } = Require.Text(TaxCategory, nameof(TaxCategory));
}

/// <summary>A prepaid subscriber's usage beyond the wallet (barred, or past the credit limit) over [first, last] local days: owed, invoiced for collections.</summary>
public sealed record OverdraftSummary(string Msisdn, decimal Amount, long ChargeCount, LocalDate FirstDate, LocalDate LastDate, string TaxCategory)
{
    public string Msisdn { get; } = Require.Text(Msisdn, nameof(Msisdn));

    public long ChargeCount { get; } = Require.NotNegative(ChargeCount, nameof(ChargeCount));

    public LocalDate LastDate { get; } = LastDate >= FirstDate ? LastDate : throw new ArgumentOutOfRangeException(nameof(LastDate), LastDate, "the last date is on or after the first");

    public string TaxCategory { get; } = Require.Text(TaxCategory, nameof(TaxCategory));
}

/// <summary>
/// The account's balance before this invoice: what was due after the previous invoice (0 if none),
/// payments and credit notes since (≥ 0: money in), the previous invoice's total (null if none) and
/// how much usage of the period is still held or unrated (for the run report).
/// </summary>
public sealed record BalanceInputs(decimal PreviousBalance = 0m, decimal PaymentsAndCredits = 0m, decimal? PreviousInvoiceTotal = null, long HeldUsage = 0, long UnratedUsage = 0)
{
    public decimal PaymentsAndCredits { get; } = Require.NotNegative(PaymentsAndCredits, nameof(PaymentsAndCredits));

    public long HeldUsage { get; } = Require.NotNegative(HeldUsage, nameof(HeldUsage));

    public long UnratedUsage { get; } = Require.NotNegative(UnratedUsage, nameof(UnratedUsage));

    public static BalanceInputs None { get; } = new();
}

/// <summary>
/// Everything one invoice is computed from, as plain values: the account's terms, the cycle
/// [Start, End) being closed, the issue date (normally the cycle's end), and the inputs the bill run
/// loaded. Amounts are in the account's currency. Validated here: a period that overlaps another of
/// the same subscription, earlier recurring lines that overlap each other, or a one-time charge
/// finer than the currency's minor unit are bugs in the caller and throw.
/// </summary>
public sealed class InvoiceRequest
{
    public InvoiceRequest(
        AccountTerms account,
        BillCycle cycle,
        LocalDate issueDate,
        TaxTable taxes,
        IReadOnlyList<SubscriptionPeriod>? subscriptions = null,
        IReadOnlyDictionary<string, IReadOnlyList<RecurringFee>>? feesByPlan = null,
        IReadOnlyList<IssuedRecurringLine>? issuedRecurring = null,
        IReadOnlyList<UsageSummary>? usage = null,
        IReadOnlyList<LateUsageSummary>? lateUsage = null,
        IReadOnlyList<OneTimeCharge>? oneTimeCharges = null,
        IReadOnlyList<Adjustment>? adjustments = null,
        IReadOnlyList<OverdraftSummary>? overdraft = null,
        IReadOnlyList<DiscountRule>? discounts = null,
        BalanceInputs? balance = null)
    {
        Account = account ?? throw new ArgumentNullException(nameof(account));
        Cycle = cycle.End.Day <= 28 && cycle == BillCycle.EndingOn(cycle.End) ? cycle : throw new ArgumentException($"{cycle} is not one bill cycle (a month ending on day 1–28)", nameof(cycle));
        IssueDate = issueDate;
        Taxes = taxes ?? throw new ArgumentNullException(nameof(taxes));
        Subscriptions = subscriptions ?? [];
        FeesByPlan = feesByPlan ?? new Dictionary<string, IReadOnlyList<RecurringFee>>();
        IssuedRecurring = issuedRecurring ?? [];
        Usage = usage ?? [];
        LateUsage = lateUsage ?? [];
        OneTimeCharges = oneTimeCharges ?? [];
        Adjustments = adjustments ?? [];
        Overdraft = overdraft ?? [];
        Discounts = discounts ?? [];
        Balance = balance ?? BalanceInputs.None;

        RefuseOverlaps(Subscriptions.GroupBy(p => p.SubscriptionId), p => p.From, p => p.To, "subscription periods");
        // A credit line (a termination's, a plan change's) covers days a charge line billed: charges never overlap charges, nor credits credits.
        foreach (var credits in IssuedRecurring.GroupBy(l => l.Amount < 0m))
        {
            RefuseOverlaps(credits.GroupBy(l => (l.SubscriptionId, l.PlanId, l.FeeId)), l => l.From, l => l.To, "issued recurring lines");
        }

        var finer = OneTimeCharges.FirstOrDefault(c => Rounding.ToMinorUnit(c.Amount, Account.Currency) != c.Amount);
        if (finer is not null)
        {
            throw new ArgumentException($"one-time charge {finer.Id} of {finer.Amount} has more decimals than {Account.Currency.Code} allows", nameof(oneTimeCharges));
        }
    }

    public AccountTerms Account { get; }

    /// <summary>The cycle being closed, [Start, End).</summary>
    public BillCycle Cycle { get; }

    public LocalDate IssueDate { get; }

    public TaxTable Taxes { get; }

    public IReadOnlyList<SubscriptionPeriod> Subscriptions { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<RecurringFee>> FeesByPlan { get; }

    /// <summary>
    /// Recurring lines of earlier invoices that overlap the cycle closed or the next one; and, of a subscription period that
    /// ended before the cycle, those (charges and credits) of days from its end on, so a termination backdated past them is credited.
    /// </summary>
    public IReadOnlyList<IssuedRecurringLine> IssuedRecurring { get; }

    public IReadOnlyList<UsageSummary> Usage { get; }

    public IReadOnlyList<LateUsageSummary> LateUsage { get; }

    public IReadOnlyList<OneTimeCharge> OneTimeCharges { get; }

    public IReadOnlyList<Adjustment> Adjustments { get; }

    public IReadOnlyList<OverdraftSummary> Overdraft { get; }

    /// <summary>The catalogue's discount rules; those scoped to another account or to plans the account has no lines on simply find no eligible base.</summary>
    public IReadOnlyList<DiscountRule> Discounts { get; }

    public BalanceInputs Balance { get; }

    public bool IsPrepaid => Account.PaymentType == PaymentType.Prepaid;

    private static void RefuseOverlaps<TKey, T>(IEnumerable<IGrouping<TKey, T>> groups, Func<T, LocalDate> from, Func<T, LocalDate?> to, string what)
    {
        foreach (var group in groups)
        {
            var ordered = group.OrderBy(from).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (to(ordered[i - 1]) is not { } end || end > from(ordered[i]))
                {
                    throw new ArgumentException($"{what} of {group.Key} overlap at {from(ordered[i]):uuuu-MM-dd}");
                }
            }
        }
    }
}
