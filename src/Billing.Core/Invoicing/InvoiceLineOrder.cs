namespace Billing.Core.Invoicing;

/// <summary>
/// The order of lines on an invoice: by kind (recurring, usage, late usage, overdraft, one-time,
/// adjustment, discount), then MSISDN, service, destination group and period start (discounts in
/// their rules' order); the remaining fields only break ties, so the same inputs in any order give
/// the same invoice.
/// </summary>
internal sealed class InvoiceLineOrder : IComparer<InvoiceLine>
{
    public static InvoiceLineOrder Instance { get; } = new();

    public int Compare(InvoiceLine? x, InvoiceLine? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        // The first difference decides; the later fields are compared only on a tie (no array of every comparison).
        var c = x.Kind.CompareTo(y.Kind);
        c = c != 0 ? c : string.CompareOrdinal(x.Msisdn, y.Msisdn);
        c = c != 0 ? c : Nullable.Compare(x.Service, y.Service);
        c = c != 0 ? c : string.CompareOrdinal(x.DestinationGroup, y.DestinationGroup);
        c = c != 0 ? c : x.PeriodStart.CompareTo(y.PeriodStart);
        c = c != 0 ? c : string.CompareOrdinal(x.RuleId, y.RuleId);
        c = c != 0 ? c : string.CompareOrdinal(x.SubscriptionId, y.SubscriptionId);
        c = c != 0 ? c : string.CompareOrdinal(x.PlanId, y.PlanId);
        c = c != 0 ? c : string.CompareOrdinal(x.FeeId, y.FeeId);
        c = c != 0 ? c : string.CompareOrdinal(x.OriginalInvoiceNumber, y.OriginalInvoiceNumber);
        c = c != 0 ? c : string.CompareOrdinal(x.TaxCategory, y.TaxCategory);
        c = c != 0 ? c : x.PeriodEnd.CompareTo(y.PeriodEnd);
        c = c != 0 ? c : x.Amount.Amount.CompareTo(y.Amount.Amount);
        // Lines that tie this far carry one source each (a one-time charge, a manual adjustment).
        c = c != 0 ? c : string.CompareOrdinal(FirstSource(x), FirstSource(y));
        return c != 0 ? c : string.CompareOrdinal(x.Description, y.Description);
    }

    private static string? FirstSource(InvoiceLine line) => line.SourceIds.Count > 0 ? line.SourceIds[0] : null;
}
