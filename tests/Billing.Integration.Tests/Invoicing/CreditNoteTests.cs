using Billing.Jobs.Invoicing;
using Billing.Storage.Invoicing;
using Dapper;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>Credit notes issued against a real database: their own gapless series, allocated so they reduce what is owed.</summary>
public sealed class CreditNoteTests : IDisposable
{
    private readonly ReceivablesWorld _world = new(("B-1", "447700900950"), ("B-2", "447700900951"));

    public void Dispose() => _world.Dispose();

    private CreditNoteOutcome Credit(string invoice, decimal? amount = null, int? line = null, string reason = "Goodwill") =>
        _world.Receivables().IssueCreditNote(invoice, amount, line, reason, "tests");

    private CreditNoteIssued Issued(string invoice, decimal? amount = null, int? line = null) =>
        Credit(invoice, amount, line).Issued ?? throw new InvalidOperationException("refused: " + Credit(invoice, amount, line).Refusal);

    private (int Notes, long? LastSeq) Counted()
    {
        using var c = _world.Open();
        return c.QuerySingle<(int, long?)>("SELECT (SELECT count(*) FROM credit_notes)::int, (SELECT last_seq FROM document_counters WHERE series = 'credit-note')");
    }

    [Fact]
    public void A_credit_note_of_12_00_is_numbered_in_its_own_series_and_reduces_what_its_invoice_still_owes_to_24_00()
    {
        _world.Bill(December);

        var note = Issued("INV-2026-000001", amount: 12.00m);

        Assert.Equal(("CN-2027-000001", "B-1", new NodaTime.LocalDate(2027, 1, 2)), (note.Number, note.AccountId, note.IssueDate));
        Assert.Equal([("standard", 0.2m, -10.00m, -2.00m)], note.Note.Lines.Select(l => (l.TaxCategory, l.Rate, l.Net.Amount, l.Tax.Amount)));
        Assert.Equal([("INV-2026-000001", 12.00m)], note.Allocations.Select(a => (a.Invoice, a.Amount)));
        Assert.Equal(0m, note.Credit);
        Assert.Equal(24.00m, _world.Outstanding("INV-2026-000001"));
        using var c = _world.Open();
        Assert.Equal(24.00m, ReceivablesStore.OpenBalance(c, "B-1"));
        Assert.Equal(("CN-2027-000001", -10.00m, -2.00m, -12.00m, "Goodwill"), c.QuerySingle<(string, decimal, decimal, decimal, string)>(
            "SELECT number, subtotal, tax, total, reason FROM credit_notes"));
        Assert.Equal((-10.00m, -2.00m), c.QuerySingle<(decimal, decimal)>("SELECT sum(net), sum(tax) FROM credit_note_lines"));
    }

    [Fact]
    public void After_a_zero_rated_handset_line_is_credited_the_36_00_left_of_the_invoice_comes_back_as_30_00_of_fees_and_6_00_of_VAT()
    {
        var handset = _world.Charges().Record([new Billing.Mediation.Imports.AccountChargeRow(1, "H-1", "B-1", Billing.Core.Invoicing.InvoiceLineKind.OneTime, 25.00m, "Handset", "zero", null, new NodaTime.LocalDate(2026, 11, 20))], "tests");
        Assert.Empty(handset.Errors);
        _world.Bill(December);
        // November's and December's fees 30.00 + VAT 6.00, the handset 25.00 at 0 %: 61.00.
        Assert.Equal((30.00m, 61.00m), _world.Totals("INV-2026-000001") is var t ? (t.Subtotal - 25.00m, t.Total) : default);

        Issued("INV-2026-000001", line: 3);
        var rest = Issued("INV-2026-000001", amount: 36.00m);

        Assert.Equal([("standard", -30.00m, -6.00m)], rest.Note.Lines.Select(l => (l.TaxCategory, l.Net.Amount, l.Tax.Amount)));
        using var c = _world.Open();
        Assert.Equal(
            [("standard", -30.00m, -6.00m), ("zero", -25.00m, 0.00m)],
            c.Query<(string, decimal, decimal)>("SELECT tax_category, sum(net), sum(tax) FROM credit_note_lines GROUP BY tax_category ORDER BY tax_category"));
    }

    [Fact]
    public void A_fee_line_of_15_00_credited_once_is_refused_a_second_time_without_taking_a_number()
    {
        _world.Bill(December);

        var first = Issued("INV-2026-000001", line: 1);
        var again = Credit("INV-2026-000001", line: 1);

        Assert.Equal(-18.00m, first.Note.Total.Amount);
        Assert.Null(again.Issued);
        Assert.Equal("line 1 of invoice INV-2026-000001 is credited already", again.Refusal);
        Assert.Equal((1, 1L), Counted());
        Assert.Equal(18.00m, _world.Outstanding("INV-2026-000001"));
    }

    [Fact]
    public void A_line_is_credited_in_full_and_a_credit_beyond_what_is_left_is_refused_without_taking_a_number()
    {
        _world.Bill(December);

        var line = Issued("INV-2026-000001", line: 1);
        var beyond = Credit("INV-2026-000001", amount: 18.01m);
        var rest = Issued("INV-2026-000001", amount: 18.00m);

        // Line 1 is a fee of 15.00 at 20 %: 18.00 credited, 18.00 left.
        Assert.Equal((-15.00m, -3.00m, -18.00m), (line.Note.Subtotal.Amount, line.Note.Tax.Amount, line.Note.Total.Amount));
        Assert.Null(beyond.Issued);
        Assert.Equal("invoice INV-2026-000001 has 18.00 GBP left to credit, not 18.01", beyond.Refusal);
        Assert.Equal(("CN-2027-000001", "CN-2027-000002"), (line.Number, rest.Number));
        Assert.Equal(0m, _world.Outstanding("INV-2026-000001"));
        Assert.Equal((2, 2L), Counted());
    }

    [Fact]
    public void Two_issuers_at_once_get_consecutive_numbers_with_no_gap_and_no_duplicate()
    {
        var invoices = _world.Bill(December); // B-1's and B-2's, 36.00 each
        using var start = new Barrier(2);

        var numbers = invoices.AsParallel().WithDegreeOfParallelism(2).SelectMany(invoice =>
        {
            start.SignalAndWait();
            return Enumerable.Range(0, 5).Select(_ => Issued(invoice, amount: 1.00m).Number).ToList();
        }).ToList();

        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"CN-2027-{i:000000}"), numbers.Order(StringComparer.Ordinal));
        Assert.Equal((10, 10L), Counted());
        Assert.Equal((31.00m, 31.00m), (_world.Outstanding(invoices[0]), _world.Outstanding(invoices[1])));
    }

    [Fact]
    public void Two_credits_of_20_00_at_once_on_an_invoice_of_36_00_issue_one_and_refuse_the_other()
    {
        var invoice = _world.Bill(December)[0];
        using var start = new Barrier(2);

        var outcomes = Enumerable.Range(0, 2).AsParallel().WithDegreeOfParallelism(2).Select(_ =>
        {
            start.SignalAndWait();
            return Credit(invoice, amount: 20.00m);
        }).ToList();

        Assert.Single(outcomes, o => o.Issued is not null);
        Assert.Equal("invoice INV-2026-000001 has 16.00 GBP left to credit, not 20.00", Assert.Single(outcomes, o => o.Issued is null).Refusal);
        Assert.Equal((1, 1L), Counted());
        Assert.Equal(16.00m, _world.Outstanding(invoice));
    }

    [Fact]
    public void A_credit_note_on_a_paid_invoice_is_credit_that_settles_the_next_invoice()
    {
        var december = _world.Bill(December)[0];
        _world.Pay("B-1", 36.00m, "BANK-1");

        var note = Issued(december, amount: 6.00m);
        var january = _world.Bill(January)[0];

        Assert.Empty(note.Allocations);
        Assert.Equal(6.00m, note.Credit);
        // January: 18.00; previous 36.00 less 36.00 paid and 6.00 credited: 12.00 due.
        Assert.Equal((15.00m, 3.00m, 18.00m, 36.00m, 42.00m, 12.00m), _world.Totals(january));
        Assert.Equal(12.00m, _world.Outstanding(january));
        using var c = _world.Open();
        Assert.Contains(ReceivablesStore.Allocations(c, "B-1"), a => (a.Source, a.SourceReference, a.Invoice, a.Amount) == ("credit-note", note.Number, january, 6.00m));
    }

    [Fact]
    public void A_credit_note_without_a_reason_on_no_issued_invoice_or_with_both_amount_and_line_is_refused_and_takes_no_number()
    {
        _world.Bill(December);

        var refusals = new[]
        {
            Credit("INV-2026-000001", amount: 1.00m, reason: "  "),
            Credit("INV-2099-000001", amount: 1.00m),
            Credit("INV-2026-000001", amount: 1.00m, line: 1),
            Credit("INV-2026-000001"),
            Credit("INV-2026-000001", line: 9),
            Credit("INV-2026-000001", amount: 0.001m),
        }.Select(o => o.Refusal).ToList();

        Assert.Equal(
            [
                "a credit note needs a reason (--reason TEXT): it is printed on the note and kept",
                "no issued invoice INV-2099-000001 (a draft cannot be credited: discard or recompute it)",
                "give either --amount X (gross, tax included) or --line N (that line of the invoice in full)",
                "give either --amount X (gross, tax included) or --line N (that line of the invoice in full)",
                "invoice INV-2026-000001 has no line 9",
                "0.001 has more decimals than GBP allows",
            ],
            refusals);
        Assert.Equal((0, (long?)null), Counted());
    }
}
