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
        int[] order =
        [
            x.Kind.CompareTo(y.Kind),
            string.CompareOrdinal(x.Msisdn, y.Msisdn),
            Nullable.Compare(x.Service, y.Service),
            string.CompareOrdinal(x.DestinationGroup, y.DestinationGroup),
            x.PeriodStart.CompareTo(y.PeriodStart),
            string.CompareOrdinal(x.RuleId, y.RuleId),
            string.CompareOrdinal(x.SubscriptionId, y.SubscriptionId),
            string.CompareOrdinal(x.PlanId, y.PlanId),
            string.CompareOrdinal(x.FeeId, y.FeeId),
            string.CompareOrdinal(x.OriginalInvoiceNumber, y.OriginalInvoiceNumber),
            string.CompareOrdinal(x.TaxCategory, y.TaxCategory),
            x.PeriodEnd.CompareTo(y.PeriodEnd),
            x.Amount.Amount.CompareTo(y.Amount.Amount),
            // Lines that tie this far carry one source each (a one-time charge, a manual adjustment).
            string.CompareOrdinal(FirstSource(x), FirstSource(y)),
            string.CompareOrdinal(x.Description, y.Description),
        ];
        return order.FirstOrDefault(c => c != 0);
    }

    private static string? FirstSource(InvoiceLine line) => line.SourceIds.Count > 0 ? line.SourceIds[0] : null;
}
