using Billing.Core.Invoicing;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

/// <summary>Credit notes and allocation, from plain values: an invoice of 172.50 EUR (standard 20 % on 100.00, reduced 5 % on 50.00).</summary>
public sealed class ReceivablesCalculationTests
{
    private static IssuedInvoice Invoice(decimal credited = 0m) => new(
        "INV-2026-000001",
        Eur,
        172.50m,
        [new IssuedInvoiceLine(1, "Monthly charge", "standard", 100.00m), new IssuedInvoiceLine(2, "Books", "reduced", 50.00m)],
        [new IssuedInvoiceTax("reduced", 0.05m, 50.00m, 2.50m), new IssuedInvoiceTax("standard", 0.20m, 100.00m, 20.00m)],
        credited);

    private static IEnumerable<(string Category, decimal Net, decimal Tax)> Shape(CreditNoteDraft note) =>
        note.Lines.Select(l => (l.TaxCategory, l.Net.Amount, l.Tax.Amount));

    [Fact]
    public void A_credit_of_10_00_is_split_over_the_tax_categories_by_their_gross_and_totals_exactly_minus_10_00()
    {
        var note = CreditNoteCalculator.ForAmount(Invoice(), 10.00m).Note!;

        // Gross 52.50 reduced, 120.00 standard: 3.04 and 6.96; net 3.04/1.05 = 2.90 (tax 0.14), 6.96/1.2 = 5.80 (tax 1.16).
        Assert.Equal([("reduced", -2.90m, -0.14m), ("standard", -5.80m, -1.16m)], Shape(note));
        Assert.Equal((-8.70m, -1.30m, -10.00m), (note.Subtotal.Amount, note.Tax.Amount, note.Total.Amount));
    }

    [Fact]
    public void A_line_is_credited_in_full_with_its_tax_at_the_invoice_s_rate()
    {
        var note = CreditNoteCalculator.ForLine(Invoice(), 2).Note!;

        Assert.Equal([("reduced", -50.00m, -2.50m)], Shape(note));
        Assert.Equal(-52.50m, note.Total.Amount);
        Assert.StartsWith("Credit of line 2: Books", note.Lines[0].Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(22.50, true)]
    [InlineData(22.51, false)]
    public void An_invoice_with_150_00_credited_already_takes_at_most_22_50_more(decimal credit, bool issued)
    {
        var decision = CreditNoteCalculator.ForAmount(Invoice(credited: 150.00m), credit);

        Assert.Equal(issued, decision.Note is not null);
        Assert.Equal(issued ? null : CreditNoteRefusalCode.BeyondUncredited, decision.Refusal?.Code);
    }

    [Fact]
    public void A_credit_of_zero_finer_than_a_cent_or_of_a_line_the_invoice_lacks_is_refused()
    {
        Assert.Equal(CreditNoteRefusalCode.NotPositive, CreditNoteCalculator.ForAmount(Invoice(), 0m).Refusal!.Code);
        Assert.Equal(CreditNoteRefusalCode.FinerThanMinorUnit, CreditNoteCalculator.ForAmount(Invoice(), 1.005m).Refusal!.Code);
        Assert.Equal(CreditNoteRefusalCode.UnknownLine, CreditNoteCalculator.ForLine(Invoice(), 3).Refusal!.Code);
        Assert.Equal(CreditNoteRefusalCode.BeyondUncredited, CreditNoteCalculator.ForLine(Invoice(credited: 140.00m), 1).Refusal!.Code);
    }

    private static readonly IReadOnlyList<OpenItem> TwoOpenInvoices =
    [
        new("INV-2027-000001", D("2027-01-01"), Euros(18.00m)),
        new("INV-2026-000001", D("2026-12-01"), Euros(36.72m)),
    ];

    private static IEnumerable<(string Invoice, decimal Amount)> Shape(AllocationResult result) =>
        result.Allocations.Select(a => (a.InvoiceNumber, a.Amount.Amount));

    [Fact]
    public void A_payment_of_40_00_settles_the_oldest_invoice_first_and_3_28_of_the_next()
    {
        var result = PaymentAllocator.Allocate(Euros(40.00m), TwoOpenInvoices);

        Assert.Equal([("INV-2026-000001", 36.72m), ("INV-2027-000001", 3.28m)], Shape(result));
        Assert.Equal(0m, result.Unallocated.Amount);
    }

    [Fact]
    public void A_payment_naming_an_invoice_settles_it_first_and_the_rest_goes_oldest_first()
    {
        var result = PaymentAllocator.Allocate(Euros(20.00m), TwoOpenInvoices, "INV-2027-000001");

        Assert.Equal([("INV-2027-000001", 18.00m), ("INV-2026-000001", 2.00m)], Shape(result));
    }

    [Fact]
    public void An_overpayment_of_5_28_is_left_unallocated_and_settles_the_next_invoice_issued()
    {
        var paid = PaymentAllocator.Allocate(Euros(60.00m), TwoOpenInvoices);
        var next = PaymentAllocator.AllocateCredit(paid.Unallocated, [new OpenItem("INV-2027-000002", D("2027-02-01"), Euros(18.00m))], "INV-2027-000002");

        Assert.Equal(5.28m, paid.Unallocated.Amount);
        Assert.Equal([("INV-2027-000002", 5.28m)], Shape(next));
        Assert.Equal(0m, next.Unallocated.Amount);
    }
}
