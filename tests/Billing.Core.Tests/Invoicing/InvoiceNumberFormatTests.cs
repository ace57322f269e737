using Billing.Core.Invoicing;

namespace Billing.Core.Tests.Invoicing;

public sealed class InvoiceNumberFormatTests
{
    [Theory]
    [InlineData("INV-{yyyy}-{seq:000000}", 2026, 1, "INV-2026-000001")]
    [InlineData("INV-{yyyy}-{seq:000000}", 2026, 123456, "INV-2026-123456")]
    [InlineData("INV-{yyyy}-{seq:000000}", 2026, 1234567, "INV-2026-1234567")]   // outgrows its padding, stays unique
    [InlineData("CN-{yyyy}-{seq:000000}", 2027, 42, "CN-2027-000042")]
    [InlineData("CN/{yy}/{seq}", 2026, 42, "CN/26/42")]
    [InlineData("{yy}.{seq:00}", 2005, 7, "05.07")]
    [InlineData("A_{yyyy}_{seq:0}", 5, 3, "A_0005_3")]
    [InlineData("{seq}", 9999, 9_000_000_000, "9000000000")]
    public void A_pattern_writes_the_year_and_the_sequence(string pattern, int year, long sequence, string number)
    {
        Assert.Equal(number, new InvoiceNumberFormat(pattern).Format(year, sequence));
    }

    [Fact]
    public void The_default_series_are_invoices_and_credit_notes_per_year()
    {
        Assert.Equal(("INV-2026-000015", "CN-2026-000002"), (InvoiceNumberFormat.Invoice.Format(2026, 15), InvoiceNumberFormat.CreditNote.Format(2026, 2)));
        Assert.Equal("INV-{yyyy}-{seq:000000}", InvoiceNumberFormat.Invoice.ToString());
    }

    [Theory]
    [InlineData("", "is not a number pattern")]
    [InlineData("INV-{yyyy}", "needs exactly one sequence token")]
    [InlineData("{seq}-{seq:000}", "needs exactly one sequence token")]
    [InlineData("INV {seq}", "is not a number pattern")]
    [InlineData("INV-{seq:0x}", "is not a number pattern")]
    [InlineData("{month}-{seq}", "is not a number pattern")]
    [InlineData("INV-{seq", "is not a number pattern")]
    [InlineData("INV-{seq:}", "is not a number pattern")]
    [InlineData("{yyy}{seq}", "is not a number pattern")]
    [InlineData("x{seq}\n", "is not a number pattern")]
    public void A_pattern_that_cannot_number_documents_is_refused(string pattern, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => new InvoiceNumberFormat(pattern));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1, "a year is 1–9999")]
    [InlineData(10000, 1, "a year is 1–9999")]
    [InlineData(2026, 0, "a sequence starts at 1")]
    [InlineData(2026, -1, "a sequence starts at 1")]
    public void A_year_outside_1_to_9999_or_a_sequence_below_1_is_refused(int year, long sequence, string reason)
    {
        Assert.StartsWith(reason, Assert.Throws<ArgumentOutOfRangeException>(() => InvoiceNumberFormat.Invoice.Format(year, sequence)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_format_needs_a_pattern()
    {
        Assert.Throws<ArgumentNullException>(() => new InvoiceNumberFormat(null!));
    }

    [Theory]
    [InlineData(1, 1, "1")]
    [InlineData(9999, 9999, "9999")]
    public void The_year_and_sequence_bounds_are_accepted(int year, long sequence, string number)
    {
        Assert.Equal(number, new InvoiceNumberFormat("{seq}").Format(year, sequence));
    }
}
