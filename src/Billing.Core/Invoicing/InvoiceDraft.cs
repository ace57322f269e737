using Billing.Core.Cycles;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Invoicing;

/// <summary>
/// One line of an invoice. <see cref="PeriodStart"/>/<see cref="PeriodEnd"/> are the half-open local
/// days it is for: the cycle (usage), the original cycle (late usage), the prorated days (recurring),
/// or the days of the charges it carries. <see cref="Amount"/> is rounded once to the minor unit.
/// </summary>
public sealed record InvoiceLine
{
    /// <summary>1-based position on the invoice (credit notes name lines by it).</summary>
    public required int Number { get; init; }

    public required InvoiceLineKind Kind { get; init; }

    public required string Description { get; init; }

    public string? Msisdn { get; init; }

    public string? SubscriptionId { get; init; }

    public string? PlanId { get; init; }

    public ServiceType? Service { get; init; }

    public string? DestinationGroup { get; init; }

    /// <summary>Seconds, events or bytes (usage), days (recurring).</summary>
    public long? Quantity { get; init; }

    public long? AllowanceUsed { get; init; }

    /// <summary>How many rated charges the line carries (usage, late usage, overdraft); 0 otherwise.</summary>
    public long ChargeCount { get; init; }

    /// <summary>The exact sum of the 6-decimal charges the line carries, before its one rounding (usage, late usage, overdraft).</summary>
    public decimal? ExactAmount { get; init; }

    public required LocalDate PeriodStart { get; init; }

    public required LocalDate PeriodEnd { get; init; }

    public required string TaxCategory { get; init; }

    public required Money.Money Amount { get; init; }

    /// <summary>The recurring fee a recurring line bills or credits.</summary>
    public string? FeeId { get; init; }

    /// <summary>The discount rule of a discount line.</summary>
    public string? RuleId { get; init; }

    /// <summary>The invoice a re-rate adjustment corrects.</summary>
    public string? OriginalInvoiceNumber { get; init; }

    /// <summary>Ids of the inputs behind the line (one-time charge, adjustments).</summary>
    public IReadOnlyList<string> SourceIds { get; init; } = [];
}

/// <summary>The tax of one category: <see cref="Amount"/> = round(<see cref="Base"/> × <see cref="Rate"/>).</summary>
public sealed record InvoiceTax(string Category, string Name, decimal Rate, Money.Money Base, Money.Money Amount);

public enum InvoiceWarningCode
{
    /// <summary>The total moved by more than 50 % against the previous invoice's.</summary>
    TotalChangedSharply,

    /// <summary>A postpaid account with no usage in the cycle.</summary>
    NoUsage,

    NegativeTotal,

    /// <summary>Usage of the period still held (suspense, unknown subscriber) …</summary>
    UsageHeld,

    /// <summary>… or not yet rated: the invoice may be short.</summary>
    UsageUnrated,

    /// <summary>An earlier cycle this invoice closes had no run: its fees in arrears are on no invoice (<see cref="MissedArrears"/>).</summary>
    FeesInArrearsNotBilled,
}

/// <summary>Something the draft run's report shows for a person to look at; the draft can still be issued.</summary>
public sealed record InvoiceWarning(InvoiceWarningCode Code, string Message);

public enum InvoiceErrorCode
{
    /// <summary>A line's (tax region, tax category) has no rate in force at the issue date.</summary>
    MissingTaxRate,

    /// <summary>No catalogue version was in force at the cycle's end: fees, taxes and discounts are unknown.</summary>
    NoCatalog,

    /// <summary>A subscription's plan is not in the catalogue in force.</summary>
    UnknownPlan,

    /// <summary>Charges in another currency than the account's: they cannot be on its invoice.</summary>
    CurrencyMismatch,
}

/// <summary>A problem that keeps the draft from being issued until the data is fixed.</summary>
public sealed record InvoiceError(InvoiceErrorCode Code, string Message);

/// <summary>
/// A computed invoice, before it is stored and numbered. Amount due = previous balance − payments
/// and credits + total; negative is a credit carried forward.
/// </summary>
public sealed record InvoiceDraft
{
    public required string AccountId { get; init; }

    public required Money.Currency Currency { get; init; }

    public required BillCycle Cycle { get; init; }

    public required LocalDate IssueDate { get; init; }

    public required LocalDate DueDate { get; init; }

    public required IReadOnlyList<InvoiceLine> Lines { get; init; }

    public required IReadOnlyList<InvoiceTax> Taxes { get; init; }

    public required Money.Money Subtotal { get; init; }

    public required Money.Money Tax { get; init; }

    public required Money.Money Total { get; init; }

    public required Money.Money PreviousBalance { get; init; }

    public required Money.Money PaymentsAndCredits { get; init; }

    public required Money.Money AmountDue { get; init; }

    public IReadOnlyList<InvoiceWarning> Warnings { get; init; } = [];

    public IReadOnlyList<InvoiceError> Errors { get; init; } = [];

    /// <summary>A draft with errors (a missing tax rate) must not be issued.</summary>
    public bool CanBeIssued => Errors.Count == 0;
}
