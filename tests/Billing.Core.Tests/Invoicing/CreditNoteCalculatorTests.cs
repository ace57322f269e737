using Billing.Core.Invoicing;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

public sealed class CreditNoteCalculatorTests
{
    /// <summary>30.00 standard + 10.10 reduced − 3.00 standard discount; tax 5.40 (27.00 × 20 %) + 0.51 (10.10 × 5 % = 0.505); total 43.01 (not <paramref name="discounted"/>: 30.00 + 6.00 and 10.10 + 0.51, 46.61).</summary>
    private static IssuedInvoice Invoice(decimal credited = 0m, bool discounted = true) => discounted
        ? new("INV-2026-000001", Eur, 43.01m,
            [new(1, "Monthly charge", "standard", 30.00m), new(2, "Data – *any", "reduced", 10.10m), new(3, "Loyalty", "standard", -3.00m)],
            [new("reduced", 0.05m, 10.10m, 0.51m), new("standard", 0.20m, 27.00m, 5.40m)],
            credited)
        : new("INV-2026-000001", Eur, 46.61m,
            [new(1, "Monthly charge", "standard", 30.00m), new(2, "Data – *any", "reduced", 10.10m)],
            [new("reduced", 0.05m, 10.10m, 0.51m), new("standard", 0.20m, 30.00m, 6.00m)],
            credited);

    private static IEnumerable<(string Category, decimal Net, decimal Tax)> Lines(CreditNoteDraft note) =>
        note.Lines.Select(l => (l.TaxCategory, l.Net.Amount, l.Tax.Amount));

    [Fact]
    public void Crediting_a_line_gives_back_its_amount_and_its_tax_at_its_category_rate()
    {
        var note = CreditNoteCalculator.ForLine(Invoice(discounted: false), 1).Note!;

        Assert.Equal([("standard", -30.00m, -6.00m)], Lines(note));
        Assert.Equal((-30.00m, -6.00m, -36.00m), (note.Subtotal.Amount, note.Tax.Amount, note.Total.Amount));
        Assert.Equal(("INV-2026-000001", "Credit of line 1: Monthly charge", 0.20m), (note.InvoiceNumber, note.Lines[0].Description, note.Lines[0].Rate));
    }

    [Fact]
    public void Crediting_a_line_rounds_its_tax_half_away_from_zero()
    {
        var note = CreditNoteCalculator.ForLine(Invoice(), 2).Note!;

        Assert.Equal([("reduced", -10.10m, -0.51m)], Lines(note));
        Assert.Equal(-10.61m, note.Total.Amount);
    }

    [Fact]
    public void Crediting_two_lines_of_10_03_one_after_the_other_gives_back_the_invoice_total_of_24_07_not_a_cent_more()
    {
        // 20.06 at 20 %: VAT 4.012 → 4.01, total 24.07. The first line takes 10.03 × 20 % = 2.006 → 2.01 of VAT back; the
        // second what is left of the category's VAT, 2.00 — at 2.01 it would be 12.04 against 12.03 left, and refused.
        var invoice = new IssuedInvoice("INV-8", Eur, 24.07m, [new(1, "Roaming pack", "standard", 10.03m), new(2, "Roaming pack", "standard", 10.03m)],
            [new("standard", 0.20m, 20.06m, 4.01m)]);
        var first = CreditNoteCalculator.ForLine(invoice, 1).Note!;
        var credited = new IssuedInvoice("INV-8", Eur, 24.07m, invoice.Lines, [new("standard", 0.20m, 20.06m, 4.01m, CreditedNet: 10.03m, CreditedTax: 2.01m)], 12.04m);

        var second = CreditNoteCalculator.ForLine(credited, 2).Note!;

        Assert.Equal([("standard", -10.03m, -2.01m)], Lines(first));
        Assert.Equal([("standard", -10.03m, -2.00m)], Lines(second));
        Assert.Equal(-24.07m, first.Total.Amount + second.Total.Amount);
    }

    [Fact]
    public void A_credit_by_gross_amount_is_split_over_tax_categories_by_their_gross_and_totals_exactly_minus_the_amount()
    {
        // Gross standard 32.40, reduced 10.61: 20.00 → 15.07 (15.066…) and 4.93 (4.933…);
        // net 15.07 / 1.20 = 12.558… → 12.56, tax 2.51; 4.93 / 1.05 = 4.695… → 4.70, tax 0.23.
        var note = CreditNoteCalculator.ForAmount(Invoice(), 20.00m).Note!;

        Assert.Equal([("reduced", -4.70m, -0.23m), ("standard", -12.56m, -2.51m)], Lines(note));
        Assert.Equal((-17.26m, -2.74m, -20.00m), (note.Subtotal.Amount, note.Tax.Amount, note.Total.Amount));
        Assert.All(note.Lines, l => Assert.Equal("Credit on invoice INV-2026-000001", l.Description));
    }

    [Fact]
    public void A_credit_of_the_whole_invoice_gives_back_each_category_net_and_tax()
    {
        var note = CreditNoteCalculator.ForAmount(Invoice(), 43.01m).Note!;

        Assert.Equal([("reduced", -10.10m, -0.51m), ("standard", -27.00m, -5.40m)], Lines(note));
        Assert.Equal(-43.01m, note.Total.Amount);
    }

    [Fact]
    public void After_the_zero_rated_handset_of_25_00_is_credited_a_credit_of_the_36_00_left_comes_from_the_standard_category_alone()
    {
        // Fee 30.00 at 20 % (gross 36.00) and a zero-rated handset 25.00: 61.00. The handset was credited in full already:
        // what is left is the fee and its VAT, not a share of the handset again and too little of the VAT.
        var invoice = new IssuedInvoice("INV-7", Eur, 61.00m, [new(1, "Fee", "standard", 30.00m), new(2, "Handset", "zero", 25.00m)],
            [new("standard", 0.20m, 30.00m, 6.00m), new("zero", 0m, 25.00m, 0.00m, CreditedNet: 25.00m)], 25.00m);

        var note = CreditNoteCalculator.ForAmount(invoice, 36.00m).Note!;

        Assert.Equal([("standard", -30.00m, -6.00m)], Lines(note));
        Assert.Equal(-36.00m, note.Total.Amount);
    }

    [Fact]
    public void A_category_with_no_positive_gross_takes_no_part_of_a_credit_by_amount()
    {
        var invoice = new IssuedInvoice("INV-9", Eur, 12.00m, [new(1, "Fee", "standard", 10.00m), new(2, "Refund", "zero", -1.00m)],
            [new("standard", 0.20m, 10.00m, 2.00m), new("zero", 0m, -1.00m, 0m), new("empty", 0m, 0m, 0m)], 0m);

        var note = CreditNoteCalculator.ForAmount(invoice, 6.00m).Note!;

        Assert.Equal([("standard", -5.00m, -1.00m)], Lines(note));
    }

    [Theory]
    [InlineData(0, 43.02, "BeyondUncredited")]
    [InlineData(0, 0, "NotPositive")]
    [InlineData(0, -1.00, "NotPositive")]
    [InlineData(0, 1.005, "FinerThanMinorUnit")]
    [InlineData(36.00, 7.02, "BeyondUncredited")]
    [InlineData(36.00, 7.01, "")]                     // exactly what is left
    [InlineData(0, 43.01, "")]
    public void A_credit_by_amount_is_refused_beyond_what_is_left_uncredited_or_at_zero_or_below(decimal credited, decimal amount, string refusal)
    {
        var decision = CreditNoteCalculator.ForAmount(Invoice(credited), amount);

        Assert.Equal(refusal, decision.Refusal?.Code.ToString() ?? "");
        Assert.Equal(refusal.Length == 0, decision.Note is not null);
    }

    [Fact]
    public void Crediting_a_line_beyond_what_is_left_is_refused_with_the_reason()
    {
        var decision = CreditNoteCalculator.ForLine(Invoice(credited: 11.00m, discounted: false), 1);

        Assert.Null(decision.Note);
        Assert.Equal((CreditNoteRefusalCode.BeyondUncredited, "invoice INV-2026-000001 has 35.61 EUR left to credit, not 36.00"), (decision.Refusal!.Code, decision.Refusal.Reason));
    }

    [Fact]
    public void Crediting_a_discount_line_is_refused_as_not_positive()
    {
        var decision = CreditNoteCalculator.ForLine(Invoice(), 3);

        Assert.Equal((CreditNoteRefusalCode.NotPositive, "a credit note credits an amount > 0, not -3.60"), (decision.Refusal!.Code, decision.Refusal.Reason));
    }

    [Fact]
    public void A_line_credited_in_full_already_is_not_credited_a_second_time()
    {
        // Line 1 (30.00 + VAT 6.00) was credited by an earlier note; 7.01 are left on the invoice: too little for line 2 (10.61).
        var invoice = new IssuedInvoice("INV-2026-000001", Eur, 43.01m, Invoice().Lines,
            [new("reduced", 0.05m, 10.10m, 0.51m), new("standard", 0.20m, 27.00m, 5.40m, CreditedNet: 30.00m, CreditedTax: 6.00m)], 36.00m, CreditedLines: [1]);

        var again = CreditNoteCalculator.ForLine(invoice, 1);

        Assert.Equal((CreditNoteRefusalCode.AlreadyCredited, "line 1 of invoice INV-2026-000001 is credited already"), (again.Refusal!.Code, again.Refusal.Reason));
        Assert.Equal([1], CreditNoteCalculator.ForLine(Invoice(), 1).Note!.Lines.Select(l => l.InvoiceLine!.Value));
        Assert.Equal(CreditNoteRefusalCode.BeyondUncredited, CreditNoteCalculator.ForLine(invoice, 2).Refusal!.Code);
    }

    [Fact]
    public void Crediting_a_line_the_invoice_does_not_have_is_refused()
    {
        var decision = CreditNoteCalculator.ForLine(Invoice(), 4);

        Assert.Equal((CreditNoteRefusalCode.UnknownLine, "invoice INV-2026-000001 has no line 4"), (decision.Refusal!.Code, decision.Refusal.Reason));
    }

    [Fact]
    public void A_line_whose_category_has_no_tax_on_the_invoice_is_a_bug()
    {
        var invoice = new IssuedInvoice("INV-9", Eur, 10.00m, [new(1, "Fee", "other", 10.00m)], [], 0m);

        var ex = Assert.Throws<InvalidOperationException>(() => CreditNoteCalculator.ForLine(invoice, 1));

        Assert.Equal("invoice INV-9 has no tax for category other", ex.Message);
    }

    [Fact]
    public void A_credit_finer_than_the_minor_unit_says_so()
    {
        Assert.Equal("1.005 has more decimals than EUR allows", CreditNoteCalculator.ForAmount(Invoice(), 1.005m).Refusal!.Reason);
    }

    [Fact]
    public void A_credit_note_needs_an_invoice()
    {
        Assert.Throws<ArgumentNullException>(() => CreditNoteCalculator.ForLine(null!, 1));
        Assert.Throws<ArgumentNullException>(() => CreditNoteCalculator.ForAmount(null!, 1m));
    }

    [Fact]
    public void An_invoice_cannot_have_a_negative_amount_credited()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Invoice(credited: -0.01m));
    }

    [Fact]
    public void Crediting_a_line_of_a_discounted_category_gives_back_no_more_net_or_tax_than_the_invoice_charged_on_it()
    {
        // Line 1 (30.00) shares the standard category with the 3.00 discount: the invoice charged 27.00 + VAT 5.40 there, not 30.00 + 6.00.
        var note = CreditNoteCalculator.ForLine(Invoice(), 1).Note!;

        Assert.Equal([("standard", -27.00m, -5.40m)], Lines(note));
        Assert.Equal(-32.40m, note.Total.Amount);
    }

    [Fact]
    public void Crediting_every_line_of_a_discounted_invoice_one_by_one_gives_back_its_total_and_each_categorys_tax_to_the_cent()
    {
        // Standard: 30.00 fee + 50.00 usage − 3.00 discount = 77.00, VAT 15.40; total 92.40. The fee comes back in full (36.00); the usage
        // line then takes what the category has left, 47.00 + 9.40, and no more than the invoice charged comes back.
        var invoice = new IssuedInvoice("INV-7", Eur, 92.40m,
            [new(1, "Monthly charge", "standard", 30.00m), new(2, "Voice – national", "standard", 50.00m), new(3, "Loyalty", "standard", -3.00m)],
            [new("standard", 0.20m, 77.00m, 15.40m)]);
        var first = CreditNoteCalculator.ForLine(invoice, 1).Note!;
        var credited = new IssuedInvoice("INV-7", Eur, 92.40m, invoice.Lines, [new("standard", 0.20m, 77.00m, 15.40m, CreditedNet: 30.00m, CreditedTax: 6.00m)], 36.00m, CreditedLines: [1]);

        var second = CreditNoteCalculator.ForLine(credited, 2).Note!;

        Assert.Equal([("standard", -30.00m, -6.00m)], Lines(first));
        Assert.Equal([("standard", -47.00m, -9.40m)], Lines(second));
        Assert.Equal((-77.00m, -15.40m), (first.Subtotal.Amount + second.Subtotal.Amount, first.Tax.Amount + second.Tax.Amount));
    }
}
