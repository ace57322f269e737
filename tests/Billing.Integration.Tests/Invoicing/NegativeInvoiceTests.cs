using Billing.Core.Invoicing;
using Billing.Jobs.Reconciliation;
using Billing.Mediation.Imports;
using Billing.Storage.Dunning;
using Billing.Storage.Invoicing;
using NodaTime;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>An issued invoice whose total is negative (a credit adjustment beyond its charges) is credit the account's other invoices take.</summary>
public sealed class NegativeInvoiceTests : IDisposable
{
    private readonly ReceivablesWorld _world = new(("B-1", "447700900950"));

    public void Dispose() => _world.Dispose();

    [Fact]
    public void An_invoice_of_minus_24_00_settles_the_next_invoice_of_18_00_and_leaves_6_00_of_credit_so_nothing_is_outstanding_or_dunned()
    {
        var recorded = _world.Charges().Record([new AccountChargeRow(1, "ADJ-1", "B-1", InvoiceLineKind.Adjustment, -50.00m, "Goodwill", null, null, new LocalDate(2026, 11, 20))], "tests");
        Assert.Empty(recorded.Errors);

        // November's and December's fees 30.00 less the goodwill 50.00: −20.00, VAT −4.00, −24.00.
        var december = Assert.Single(_world.Bill(ReceivablesWorld.December));
        Assert.Equal((-20.00m, -4.00m, -24.00m, 0m, 0m, -24.00m), _world.Totals(december));
        // January's fee 15.00 + VAT 3.00 = 18.00 against the credit of 24.00: 6.00 in the customer's favour.
        var january = Assert.Single(_world.Bill(ReceivablesWorld.January));
        Assert.Equal((15.00m, 3.00m, 18.00m, -24.00m, 0m, -6.00m), _world.Totals(january));

        Assert.Equal(0m, _world.Outstanding(january));
        using var c = _world.Open();
        Assert.Equal(6.00m, ReceivablesStore.Unallocated(c, ["B-1"]).Sum(m => m.Left));
        Assert.Equal(-6.00m, ReceivablesStore.OpenBalance(c, "B-1"));
        Assert.Equal([("invoice", december, january, 18.00m)], ReceivablesStore.Allocations(c, "B-1").Select(a => (a.Source, a.SourceReference, a.Invoice, a.Amount)));
        Assert.Empty(DunningStore.Candidates(c, new LocalDate(2027, 3, 1), "", 10));
        // The −24.00 invoice owes nothing: the statement and `invoices show` say 0.00 outstanding, not −24.00 (its credit left is the 6.00 above).
        Assert.Equal([(december, -24.00m, (decimal?)0m), (january, 18.00m, 0m)],
            ReceivablesStore.Statement(c, "B-1").Where(e => e.Kind == "invoice").Select(e => (e.Reference, e.Amount, e.Outstanding)));
        Assert.Equal(0m, InvoiceStore.Read(c, december)!.Outstanding);
        Assert.True(new ReconcileJob(_world.Db).Run(ReceivablesWorld.January).Reconciled);
    }
}
