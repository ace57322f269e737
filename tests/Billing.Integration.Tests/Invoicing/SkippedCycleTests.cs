using Billing.Integration.Tests.Infrastructure;
using Billing.Catalog;
using Billing.Jobs.Catalog;
using Billing.Storage;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Reconciliation;
using Dapper;
using NodaTime;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>
/// Bill runs that were not made for a cycle (a skipped date, an account's history before its first
/// invoice): what the later invoices bill, and that no charge of such a cycle is left unbilled.
/// </summary>
public sealed class SkippedCycleTests : IDisposable
{
    private const string Msisdn = "447700900950";
    private static readonly LocalDate November = new(2026, 11, 1);
    private static readonly LocalDate February = new(2027, 2, 1);
    private readonly ReceivablesWorld _world = new(("B-1", Msisdn));

    public void Dispose() => _world.Dispose();

    [Fact]
    public void A_charge_rated_after_a_later_invoice_for_a_cycle_whose_run_was_skipped_is_late_usage_on_the_next_invoice()
    {
        _world.Clock.Reset(Instant.FromUtc(2026, 11, 2, 6, 0));
        Assert.Single(_world.Bill(November));
        // The run of 1 December is never made; January's invoice catches up December's fee. November had no usage then.
        _world.Clock.Reset(Instant.FromUtc(2027, 1, 2, 6, 0));
        Assert.Single(_world.Bill(ReceivablesWorld.January));

        // A delayed file brings an SMS of 20 November, rated after January's invoice was issued.
        _world.Usage(UsageSpec.Sms("late-nov", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 20, 10, 0)));
        _world.Clock.Reset(Instant.FromUtc(2027, 2, 2, 6, 0));
        var february = Assert.Single(_world.Bill(February));

        // February's fee in advance 15.00 and the SMS 0.10 with November's dates: 15.10 + VAT 3.02 = 18.12.
        Assert.Equal(
            [("recurring", 15.00m), ("late-usage", 0.10m)],
            _world.Lines(february).Select(l => (l.Kind, l.Amount)));
        Assert.Equal((15.10m, 3.02m, 18.12m), _world.Totals(february) is var t ? (t.Subtotal, t.Tax, t.Total) : default);
        using var c = _world.Open();
        Assert.Equal(0, c.ExecuteScalar<int>("""
            SELECT count(*) FROM rated_charges r
            WHERE r.invoice_id IS NULL AND NOT EXISTS (SELECT 1 FROM invoiced_cycles ic WHERE ic.account_id = r.account_id AND ic.cycle_start = r.cycle_start)
            """));
        var reconciled = new ReconcileJob(_world.Db).Run(new LocalDate(2026, 12, 1));
        Assert.Equal((0L, 1L), (reconciled.DifferenceCount, reconciled.Invoicing.LateBilled));
    }

    [Fact]
    public void A_run_of_a_skipped_date_made_after_a_later_invoice_billed_its_cycle_bills_nothing_again_and_issues_nothing()
    {
        _world.Usage(
            UsageSpec.Sms("oct", Msisdn, "447700900123", Instant.FromUtc(2026, 10, 10, 10, 0)),
            UsageSpec.Sms("nov", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 10, 10, 0)));
        // The run of 1 November is skipped: December's invoice bills October's SMS (0.10) with its own dates.
        var december = Assert.Single(_world.Bill(ReceivablesWorld.December));
        Assert.Equal(
            [("recurring", 15.00m), ("recurring", 15.00m), ("usage", 0.10m), ("late-usage", 0.10m)],
            _world.Lines(december).Select(l => (l.Kind, l.Amount)));

        // Made late, the run of 1 November finds October billed already: no account to bill, no second invoice.
        Assert.Empty(_world.Bill(November));

        using var c = _world.Open();
        Assert.Equal([december], c.Query<string>("SELECT coalesce(number, 'draft') FROM invoices ORDER BY id"));
    }

    [Fact]
    public void Approving_a_draft_whose_cycle_a_later_invoice_billed_meanwhile_issues_nothing_and_fails_no_batch()
    {
        _world.Usage(UsageSpec.Sms("nov", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 10, 10, 0)));
        var job = new BillRunJob(_world.Db, new CatalogCache(), new InvoicingOptions(), _world.Clock);
        var december = job.Plan(ReceivablesWorld.December, null, "tests");
        job.DraftAll(december.Run.Id);
        // December's drafts wait; January's run is made and approved first, billing November's SMS with its own dates.
        var january = Assert.Single(_world.Bill(ReceivablesWorld.January));

        // The first approval finds the draft changed (December's fee is billed now); a person approves it again.
        var approved = job.ApproveAll(december.Run.Id).Concat(job.ApproveAll(december.Run.Id)).ToList();

        Assert.Equal(0, approved.Sum(b => b.Issued));
        using var c = _world.Open();
        Assert.Equal([january], c.Query<string>("SELECT number FROM invoices WHERE status = 'issued'"));
        Assert.Equal(1, c.ExecuteScalar<int>("SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.status = 'issued' AND l.service IS NOT NULL"));
    }

    [Fact]
    public void A_draft_that_closes_a_cycle_whose_run_was_skipped_warns_that_the_cycles_fees_in_arrears_are_not_billed()
    {
        using (var c = _world.Open())
        {
            // Postpaid 300's fee billed in arrears, from before the account's first invoice.
            var files = CatalogSource.ReadFiles(RatingData.TemplateCatalog).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
            files["recurring_fees.csv"] = files["recurring_fees.csv"].Replace("15.00,standard,advance", "15.00,standard,arrears", StringComparison.Ordinal);
            CatalogStore.Save(c, "arrears", CatalogSource.Native, "arrears", Instant.FromUtc(2026, 2, 1, 0, 0), files, new Dictionary<string, string>(), "tests");
        }

        _world.Clock.Reset(Instant.FromUtc(2026, 10, 2, 6, 0));
        Assert.Single(_world.Bill(new LocalDate(2026, 10, 1)));
        // The run of 1 November is never made: December's invoice bills November's fee in arrears; October's is on no invoice.
        _world.Clock.Reset(Instant.FromUtc(2026, 12, 2, 6, 0));
        Assert.Empty(_world.Bill(ReceivablesWorld.December, approve: false));

        using var conn = _world.Open();
        Assert.Equal(15.00m, conn.ExecuteScalar<decimal>("SELECT subtotal FROM invoices WHERE status = 'draft'"));
        Assert.Equal(
            "no invoice bills the fees in arrears of 1 Oct – 31 Oct 2026 (15.00): the run of 2026-11-01 was not made",
            conn.ExecuteScalar<string>("""
                SELECT w->>'message' FROM invoices, jsonb_array_elements(warnings) w WHERE status = 'draft' AND w->>'code' = 'fees-in-arrears-not-billed'
                """));
    }
}
