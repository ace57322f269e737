using Billing.Storage.Invoicing;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>InvoiceStore's reads: one invoice with its lines and taxes, a draft by its cycle, and the filtered list.</summary>
public sealed class InvoiceReadTests : IDisposable
{
    private readonly ReceivablesWorld _world = new(("B-1", "447700900950"), ("B-2", "447700900951"));

    public InvoiceReadTests()
    {
        _world.Bill(December);              // issued: INV-2026-000001 (B-1), INV-2026-000002 (B-2), 36.00 each
        _world.Bill(January, approve: false); // drafts of 18.00 each
        _world.Pay("B-1", 10.00m, "BANK-1");
    }

    public void Dispose() => _world.Dispose();

    [Fact]
    public void An_issued_invoice_is_read_with_its_lines_taxes_and_what_is_still_outstanding()
    {
        using var c = _world.Open();

        var invoice = InvoiceStore.Read(c, "INV-2026-000001")!;

        Assert.Equal(("B-1", "Customer B-1", "issued", "GBP", new NodaTime.LocalDate(2026, 11, 1), new NodaTime.LocalDate(2026, 12, 1), new NodaTime.LocalDate(2026, 12, 15)),
            (invoice.AccountId, invoice.AccountName, invoice.Status, invoice.Currency, invoice.CycleStart, invoice.CycleEnd, invoice.DueDate));
        Assert.Equal([(1, "recurring", 30L, 15.00m), (2, "recurring", 31L, 15.00m)], invoice.Lines.Select(l => (l.LineNo, l.Kind, l.Quantity!.Value, l.Amount)));
        Assert.Equal([("standard", "VAT 20%", 0.20m, 30.00m, 6.00m)], invoice.Taxes.Select(t => (t.Category, t.Name, t.Rate, t.Base, t.Amount)));
        Assert.Equal((30.00m, 6.00m, 36.00m, 36.00m, 26.00m), (invoice.Subtotal, invoice.Tax, invoice.Total, invoice.AmountDue, invoice.Outstanding!.Value));
        Assert.Null(InvoiceStore.Read(c, "INV-2099-000001"));
    }

    [Fact]
    public void A_cycle_s_invoice_is_the_issued_one_else_the_draft_which_has_no_number_and_nothing_outstanding()
    {
        using var c = _world.Open();

        var draft = InvoiceStore.ReadForCycle(c, "B-1", January)!;
        var issued = InvoiceStore.ReadForCycle(c, "B-1", December)!;

        Assert.Equal((null, "draft", 18.00m, (decimal?)null), (draft.Number, draft.Status, draft.Total, draft.Outstanding));
        Assert.Single(draft.Lines);
        Assert.Equal("INV-2026-000001", issued.Number);
        Assert.Null(InvoiceStore.ReadForCycle(c, "B-1", new NodaTime.LocalDate(2026, 11, 1)));
    }

    [Fact]
    public void Invoices_are_listed_newest_first_and_filtered_by_account_run_and_status()
    {
        using var c = _world.Open();
        var december = BillRunStore.Find(c, "2026-12-01")!.Id;
        IEnumerable<(string?, string, string)> Listed(InvoiceFilter filter) => InvoiceStore.List(c, filter).Select(i => (i.Number, i.AccountId, i.Status));

        Assert.Equal([(null, "B-1", "draft"), (null, "B-2", "draft"), ("INV-2026-000002", "B-2", "issued"), ("INV-2026-000001", "B-1", "issued")], Listed(new InvoiceFilter()));
        Assert.Equal([(null, "B-1", "draft"), ("INV-2026-000001", "B-1", "issued")], Listed(new InvoiceFilter(AccountId: "B-1")));
        Assert.Equal([("INV-2026-000002", "B-2", "issued")], Listed(new InvoiceFilter(Status: "issued", Limit: 1)));
        Assert.Equal([("INV-2026-000002", "B-2", "issued"), ("INV-2026-000001", "B-1", "issued")], Listed(new InvoiceFilter(RunId: december)));
    }
}
