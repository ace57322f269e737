using Billing.Core.Invoicing;
using Billing.Core.Money;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

public sealed class PaymentAllocatorTests
{
    private static readonly OpenItem[] Open =
    [
        new("INV-2026-000002", D("2026-11-01"), Euros(50.00m)),
        new("INV-2026-000001", D("2026-10-01"), Euros(30.00m)),
        new("INV-2026-000003", D("2026-12-01"), Euros(20.00m)),
    ];

    private static IEnumerable<(string Invoice, decimal Amount)> Shape(AllocationResult r) => r.Allocations.Select(a => (a.InvoiceNumber, a.Amount.Amount));

    [Fact]
    public void A_payment_settles_open_invoices_oldest_first()
    {
        var r = PaymentAllocator.Allocate(Euros(60.00m), Open);

        Assert.Equal([("INV-2026-000001", 30.00m), ("INV-2026-000002", 30.00m)], Shape(r));
        Assert.Equal(0.00m, r.Unallocated.Amount);
    }

    [Fact]
    public void A_payment_naming_an_invoice_settles_it_first_then_the_others_oldest_first()
    {
        var r = PaymentAllocator.Allocate(Euros(60.00m), Open, "INV-2026-000003");

        Assert.Equal([("INV-2026-000003", 20.00m), ("INV-2026-000001", 30.00m), ("INV-2026-000002", 10.00m)], Shape(r));
    }

    [Fact]
    public void A_payment_smaller_than_the_named_invoice_goes_all_to_it()
    {
        var r = PaymentAllocator.Allocate(Euros(12.34m), Open, "INV-2026-000002");

        Assert.Equal([("INV-2026-000002", 12.34m)], Shape(r));
    }

    [Fact]
    public void An_overpayment_is_carried_forward_as_unallocated_credit()
    {
        var r = PaymentAllocator.Allocate(Euros(120.00m), Open);

        Assert.Equal([("INV-2026-000001", 30.00m), ("INV-2026-000002", 50.00m), ("INV-2026-000003", 20.00m)], Shape(r));
        Assert.Equal(Euros(20.00m), r.Unallocated);
    }

    [Fact]
    public void A_payment_with_nothing_open_is_all_credit()
    {
        var r = PaymentAllocator.Allocate(Euros(5.00m), []);

        Assert.Empty(r.Allocations);
        Assert.Equal(5.00m, r.Unallocated.Amount);
    }

    [Fact]
    public void A_payment_naming_an_invoice_that_is_not_open_goes_oldest_first()
    {
        var r = PaymentAllocator.Allocate(Euros(40.00m), Open, "INV-2025-000999");

        Assert.Equal([("INV-2026-000001", 30.00m), ("INV-2026-000002", 10.00m)], Shape(r));
    }

    [Fact]
    public void Invoices_issued_the_same_day_are_settled_in_number_order()
    {
        OpenItem[] sameDay = [new("INV-B", D("2026-11-01"), Euros(10.00m)), new("INV-A", D("2026-11-01"), Euros(10.00m))];

        Assert.Equal([("INV-A", 10.00m), ("INV-B", 5.00m)], Shape(PaymentAllocator.Allocate(Euros(15.00m), sameDay)));
    }

    [Fact]
    public void Invoices_issued_the_same_day_under_an_unpadded_sequence_are_settled_9_before_10()
    {
        // invoicing.invoiceNumbers "INV-{yyyy}-{seq}": number 10 was issued after number 9, though "…-10" sorts first as text.
        OpenItem[] sameDay = [new("INV-2026-10", D("2026-11-01"), Euros(10.00m)), new("INV-2026-9", D("2026-11-01"), Euros(10.00m))];

        Assert.Equal([("INV-2026-9", 10.00m), ("INV-2026-10", 5.00m)], Shape(PaymentAllocator.Allocate(Euros(15.00m), sameDay)));
    }

    [Fact]
    public void Credit_carried_forward_settles_a_newly_issued_invoice()
    {
        OpenItem[] open = [new("INV-2026-000004", D("2027-01-01"), Euros(36.00m))];

        var r = PaymentAllocator.AllocateCredit(Euros(14.00m), open, "INV-2026-000004");

        Assert.Equal([("INV-2026-000004", 14.00m)], Shape(r));
        Assert.Equal(0.00m, r.Unallocated.Amount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1.00)]
    public void Only_money_in_is_allocated(decimal amount)
    {
        Assert.StartsWith("only money in (> 0) is allocated", Assert.Throws<ArgumentOutOfRangeException>(() => PaymentAllocator.Allocate(Euros(amount), Open)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payment_in_another_currency_cannot_settle_an_invoice()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => PaymentAllocator.Allocate(new Billing.Core.Money.Money(10.00m, Currency.Of("GBP")), Open));

        Assert.Equal("a payment in GBP cannot settle INV-2026-000002 in EUR", ex.Message);
        Assert.Throws<ArgumentNullException>(() => PaymentAllocator.Allocate(Euros(1m), null!));
    }

    [Fact]
    public void An_open_item_has_something_outstanding()
    {
        Assert.StartsWith("an open item has something outstanding", Assert.Throws<ArgumentOutOfRangeException>(() => new OpenItem("INV-1", D("2026-11-01"), Euros(0m))).Message, StringComparison.Ordinal);
    }
}
