using Billing.Core.Invoicing;

namespace Billing.Jobs.Invoicing;

/// <summary>Configuration of the bill run (<c>invoicing</c> in billing.json).</summary>
public sealed record InvoicingOptions
{
    /// <summary>Days from the issue date to the due date.</summary>
    public int PaymentTermsDays { get; init; } = 14;

    /// <summary>Invoice numbers: literal text and {yyyy}, {yy}, {seq:000000}; gapless per year when the year is in it.</summary>
    public string InvoiceNumbers { get; init; } = InvoiceNumberFormat.DefaultInvoice;

    /// <summary>Credit note numbers, a series of their own.</summary>
    public string CreditNoteNumbers { get; init; } = InvoiceNumberFormat.DefaultCreditNote;

    /// <summary>Accounts per batch: one transaction (one Hangfire job under serve) each.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Whether the daily run approves its drafts itself (otherwise a person runs `billing bill-run approve`).</summary>
    public bool AutoApprove { get; init; }

    /// <summary>The daily run closes the cycles that ended this many days before today (UTC): every zone has passed midnight, late CDRs had a day.</summary>
    public int DaysAfterCycleEnd { get; init; } = 1;

    /// <summary>The largest one-time charge, adjustment (either sign) or payment accepted, in the currency's major unit.</summary>
    public decimal AmountCeiling { get; init; } = EnteredAmount.DefaultCeiling;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (AmountCeiling is <= 0m or > 1_000_000_000_000m)
        {
            problems.Add($"invoicing.amountCeiling must be > 0 and at most 1000000000000, not {AmountCeiling}");
        }

        if (PaymentTermsDays is < 0 or > 365)
        {
            problems.Add($"invoicing.paymentTermsDays must be 0–365, not {PaymentTermsDays}");
        }

        if (BatchSize is < 1 or > 100_000)
        {
            problems.Add($"invoicing.batchSize must be 1–100000, not {BatchSize}");
        }

        // 0 would draft a cycle on the day it ends (UTC), before it has ended in the zones west of the run's hour — a
        // 03:00 run leaves out every account west of UTC−3, and counts the date as done, so they are never billed.
        if (DaysAfterCycleEnd is < 1 or > 27)
        {
            problems.Add($"invoicing.daysAfterCycleEnd must be 1–27 (a cycle has ended in every time zone only the day after its end date, UTC), not {DaysAfterCycleEnd}");
        }

        foreach (var (name, pattern) in new[] { ("invoiceNumbers", InvoiceNumbers), ("creditNoteNumbers", CreditNoteNumbers) })
        {
            try
            {
                _ = new InvoiceNumberFormat(pattern);
            }
            catch (ArgumentException e)
            {
                problems.Add($"invoicing.{name}: {e.Message}");
            }
        }

        return problems;
    }
}
