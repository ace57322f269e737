using NodaTime;

namespace Billing.Core.Invoicing;

/// <summary>An issued invoice (or other receivable) with something still to pay.</summary>
public sealed record OpenItem(string InvoiceNumber, LocalDate IssueDate, Money.Money Outstanding)
{
    public string InvoiceNumber { get; } = Require.Text(InvoiceNumber, nameof(InvoiceNumber));

    public Money.Money Outstanding { get; } = Outstanding.Amount > 0m ? Outstanding : throw new ArgumentOutOfRangeException(nameof(Outstanding), Outstanding, "an open item has something outstanding");
}

public sealed record Allocation(string InvoiceNumber, Money.Money Amount);

/// <summary>Where money went; <see cref="Unallocated"/> is credit carried forward to the next invoice.</summary>
public sealed record AllocationResult(IReadOnlyList<Allocation> Allocations, Money.Money Unallocated);

/// <summary>
/// Allocates money in to open items: the named invoice first, up to what it has outstanding, then
/// the others oldest first (issue date, then number in issue order); what is left is unallocated credit. A named
/// invoice that is not open (paid already, unknown) gets nothing and the money goes oldest first.
/// </summary>
public static class PaymentAllocator
{
    public static AllocationResult Allocate(Money.Money amount, IReadOnlyList<OpenItem> openItems, string? namedInvoice = null)
    {
        // Stryker disable once Statement : equivalent — without it the currency check below throws the same ArgumentNullException.
        ArgumentNullException.ThrowIfNull(openItems);
        if (amount.Amount <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "only money in (> 0) is allocated");
        }

        if (openItems.FirstOrDefault(i => i.Outstanding.Currency != amount.Currency) is { } other)
        {
            throw new InvalidOperationException($"a payment in {amount.Currency.Code} cannot settle {other.InvoiceNumber} in {other.Outstanding.Currency.Code}");
        }

        var order = openItems
            .OrderBy(i => i.InvoiceNumber == namedInvoice ? 0 : 1)
            .ThenBy(i => i.IssueDate)
            // Numbers of one series and year differ only in the sequence, which an unpadded {seq} (or one outgrowing its
            // padding) writes with more digits as it grows: the shorter is the earlier, "…-9" before "…-10".
            .ThenBy(i => i.InvoiceNumber.Length)
            .ThenBy(i => i.InvoiceNumber, StringComparer.Ordinal);
        var left = amount;
        var allocations = new List<Allocation>();
        foreach (var item in order)
        {
            if (left.Amount == 0m)
            {
                break;
            }

            var take = new Money.Money(Math.Min(item.Outstanding.Amount, left.Amount), left.Currency);
            allocations.Add(new Allocation(item.InvoiceNumber, take));
            left -= take;
        }

        return new AllocationResult(allocations, left);
    }

    /// <summary>Credit carried forward (an overpayment, a credit note beyond what was owed) settles a newly issued invoice by the same rule.</summary>
    public static AllocationResult AllocateCredit(Money.Money credit, IReadOnlyList<OpenItem> openItems, string newInvoice) =>
        Allocate(credit, openItems, newInvoice);
}
