using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;
using Billing.Storage.Invoicing;
using Dapper;
using NodaTime;
using NodaTime.Testing;

namespace Billing.Integration.Tests.Invoicing;

/// <summary>
/// The bill run against a real database and templates/catalog (uk_postpaid_300: 15.00 a month in
/// advance; SMS to a UK mobile 0.10; calls to the USA 0.20 a minute per second; UK VAT 20 %).
/// </summary>
public sealed class BillRunTests : IDisposable
{
    private const string Msisdn = "447700900950";
    private static readonly LocalDate December = new(2026, 12, 1);
    private static readonly LocalDate January = new(2027, 1, 1);
    private readonly ScratchDatabase _scratch = new();
    private readonly FakeClock _clock = new(Instant.FromUtc(2027, 1, 2, 6, 0));

    public void Dispose() => _scratch.Dispose();

    private BillRunJob Job() => new(_scratch.Db, new CatalogCache(), new InvoicingOptions(), _clock);

    private void Rate() => new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(1000);

    private Npgsql.NpgsqlConnection Setup()
    {
        var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        RatingData.AddSubscriber(c, "B-1", Msisdn, "uk_postpaid_300", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1);
        RatingData.InsertUsage(c, [
            UsageSpec.Sms("s1", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 3, 10, 0)),
            UsageSpec.Sms("s2", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 4, 10, 0)),
            UsageSpec.Sms("s3", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 5, 10, 0)),
            UsageSpec.Voice("v1", Msisdn, "12025550123", Instant.FromUtc(2026, 11, 6, 10, 0), 90),
        ]);
        Rate();
        return c;
    }

    private (BatchOutcome Draft, BatchOutcome Approved) RunAndApprove(LocalDate date)
    {
        var job = Job();
        var planned = job.Plan(date, null, "tests");
        var batch = Assert.Single(planned.Batches);
        return (job.DraftBatch(planned.Run.Id, batch.BatchNo), job.ApproveBatch(planned.Run.Id, batch.BatchNo));
    }

    private static (string Number, decimal Subtotal, decimal Tax, decimal Total, decimal Previous, decimal Paid, decimal Due) Invoice(Npgsql.NpgsqlConnection c, LocalDate cycleEnd) =>
        c.QuerySingle<(string, decimal, decimal, decimal, decimal, decimal, decimal)>("""
            SELECT number, subtotal, tax, total, previous_balance, payments_and_credits, amount_due FROM invoices
            WHERE account_id = 'B-1' AND cycle_end = @cycleEnd AND status = 'issued'
            """, new { cycleEnd });

    private static List<(string Kind, string Description, decimal Amount)> Lines(Npgsql.NpgsqlConnection c, string number) =>
        c.Query<(string, string, decimal)>("""
            SELECT l.kind, l.description, l.amount FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.number = @number ORDER BY l.line_no
            """, new { number }).AsList();

    [Fact]
    public void A_closed_cycle_is_billed_once_with_its_fees_usage_and_VAT_and_a_rerun_issues_nothing()
    {
        using var c = Setup();

        var (draft, approved) = RunAndApprove(December);

        Assert.Equal((1, 1, 0), (draft.Drafts, approved.Issued, approved.Changed));
        // Nothing billed before: November's fee caught up, December's in advance (15.00 each);
        // three SMS at 0.10; 90 s to the USA at 0.20 a minute = 0.30. VAT 20 % of 30.60 = 6.12.
        Assert.Equal(("INV-2026-000001", 30.60m, 6.12m, 36.72m, 0m, 0m, 36.72m), Invoice(c, December));
        Assert.Equal(
            [("recurring", 15.00m), ("recurring", 15.00m), ("usage", 0.30m), ("usage", 0.30m)],
            Lines(c, "INV-2026-000001").Select(l => (l.Kind, l.Amount)));

        var again = Job().Plan(December, null, "tests");
        Assert.Empty(again.Batches);
        Assert.Equal(1, c.ExecuteScalar<int>("SELECT count(*) FROM invoices"));
    }

    [Fact]
    public void A_charge_rated_after_its_cycle_was_invoiced_is_late_usage_on_the_next_invoice_and_payments_reduce_the_amount_due()
    {
        using var c = Setup();
        RunAndApprove(December);
        RatingData.InsertUsage(c, [UsageSpec.Sms("late", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 20, 10, 0))]);
        Rate();
        Assert.True(c.ExecuteScalar<bool>("SELECT late FROM rated_charges r JOIN usage u ON u.id = r.usage_id WHERE u.record_key = 'late'"));
        using (var tx = c.BeginTransaction())
        {
            ReceivablesStore.AddPayments(tx, [new PaymentIn("PAY-1", "B-1", 36.72m, "GBP", Instant.FromUtc(2026, 12, 10, 9, 0), null)], "tests");
            ReceivablesStore.AllocateCredit(tx, ["B-1"]);
            tx.Commit();
        }

        RunAndApprove(January);

        // January's fee in advance 15.00 and the late SMS 0.10 (its own line, November's dates): 15.10 + VAT 3.02.
        // Previous balance 36.72, paid 36.72: 18.12 due.
        Assert.Equal(("INV-2027-000001", 15.10m, 3.02m, 18.12m, 36.72m, 36.72m, 18.12m), Invoice(c, January));
        Assert.Equal([("recurring", 15.00m), ("late-usage", 0.10m)], Lines(c, "INV-2027-000001").Select(l => (l.Kind, l.Amount)));
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM rated_charges WHERE late AND invoice_id IS NULL"));
    }

    [Fact]
    public void A_termination_imported_after_the_invoice_that_billed_past_it_is_credited_on_the_next_invoice_once()
    {
        using var c = Setup();
        RunAndApprove(December); // November's and December's fees, 15.00 each
        // Only now known: the number was terminated on 21 November (midnight in London).
        RatingData.AddSubscriber(c, "B-1", Msisdn, "uk_postpaid_300", Instant.FromUtc(2026, 1, 1, 0, 0), Instant.FromUtc(2026, 11, 21, 0, 0), billCycleDay: 1);

        RunAndApprove(January);
        _clock.Reset(Instant.FromUtc(2027, 2, 2, 6, 0));
        RunAndApprove(new LocalDate(2027, 2, 1));

        // 10 days of November's 30 (5.00) and the whole of December (15.00) come back; February's invoice credits nothing again.
        Assert.Equal([("recurring", "Postpaid 300 monthly charge, 21 Nov – 30 Nov 2026 (credit)", -5.00m), ("recurring", "Postpaid 300 monthly charge, 1 Dec – 31 Dec 2026 (credit)", -15.00m)],
            Lines(c, "INV-2027-000001"));
        Assert.DoesNotContain(Lines(c, "INV-2027-000002"), l => l.Kind == "recurring");
    }

    [Fact]
    public void A_plan_change_imported_after_the_invoice_that_billed_past_it_moves_those_days_to_the_new_plan()
    {
        using var c = Setup();
        RunAndApprove(December); // November's and December's fees on Postpaid 300, 15.00 each
        // Only now known: the number moved to Postpaid 1000 (25.00) on 21 November (midnight in London).
        RatingData.AddSubscriber(c, "B-1", Msisdn, "uk_postpaid_1000", Instant.FromUtc(2026, 11, 21, 0, 0), billCycleDay: 1);

        RunAndApprove(January);

        // Postpaid 300's 10 days of November (5.00) and its December (15.00) come back; Postpaid 1000 owes those 10 days
        // (25.00 × 10 / 30 = 8.33), December (caught up) and January (in advance).
        Assert.Equal(
            [("Postpaid 1000 monthly charge, 1 Dec – 31 Dec 2026 (in arrears)", 25.00m), ("Postpaid 1000 monthly charge, 1 Jan – 31 Jan 2027 (in advance)", 25.00m),
             ("Postpaid 1000 monthly charge, 21 Nov – 30 Nov 2026 (in arrears)", 8.33m),
             ("Postpaid 300 monthly charge, 1 Dec – 31 Dec 2026 (credit)", -15.00m), ("Postpaid 300 monthly charge, 21 Nov – 30 Nov 2026 (credit)", -5.00m)],
            Lines(c, "INV-2027-000001").Where(l => l.Kind == "recurring").Select(l => (l.Description, l.Amount)).Order());
    }

    [Fact]
    public void Issued_invoices_and_their_lines_cannot_be_changed_or_deleted()
    {
        using var c = Setup();
        RunAndApprove(December);

        Assert.Throws<Npgsql.PostgresException>(() => c.Execute("UPDATE invoices SET total = 0 WHERE number = 'INV-2026-000001'"));
        Assert.Throws<Npgsql.PostgresException>(() => c.Execute("DELETE FROM invoices WHERE number = 'INV-2026-000001'"));
        Assert.Throws<Npgsql.PostgresException>(() => c.Execute("UPDATE invoice_lines SET amount = 0"));
        Assert.Throws<Npgsql.PostgresException>(() => c.Execute("DELETE FROM invoice_taxes"));
        Assert.Equal(36.72m, c.ExecuteScalar<decimal>("SELECT total FROM invoices WHERE number = 'INV-2026-000001'"));
    }

    [Fact]
    public void A_line_or_tax_of_no_invoice_is_refused_and_discarding_a_draft_deletes_its_lines_and_taxes()
    {
        using var c = Setup();
        var job = Job();
        var planned = job.Plan(December, null, "tests");
        job.DraftBatch(planned.Run.Id, 1);
        var draft = c.ExecuteScalar<long>("SELECT id FROM invoices WHERE status = 'draft'");
        var (lines, taxes) = c.QuerySingle<(long, long)>("SELECT (SELECT count(*) FROM invoice_lines), (SELECT count(*) FROM invoice_taxes)");

        var line = Assert.Throws<Npgsql.PostgresException>(() => c.Execute("""
            INSERT INTO invoice_lines (invoice_id, line_no, kind, description, period_start, period_end, tax_category, amount)
            VALUES (@draft + 1, 1, 'one-time', 'orphan', '2026-11-01', '2026-11-02', 'standard', 1.00)
            """, new { draft }));
        var tax = Assert.Throws<Npgsql.PostgresException>(() => c.Execute(
            "INSERT INTO invoice_taxes (invoice_id, category, name, rate, base, amount) VALUES (@draft + 1, 'other', 'VAT', 0.2, 1, 0.2)", new { draft }));
        var moved = Assert.Throws<Npgsql.PostgresException>(() => c.Execute("UPDATE invoice_lines SET invoice_id = @draft + 1", new { draft }));
        Assert.Equal(["23503", "23503", "23503"], new[] { line.SqlState, tax.SqlState, moved.SqlState });
        Assert.Throws<Npgsql.PostgresException>(() => c.Execute("UPDATE invoices SET id = DEFAULT WHERE id = @draft", new { draft }));
        Assert.True(lines > 0 && taxes > 0, $"the draft has {lines} lines and {taxes} taxes");

        Assert.Equal(1, job.Discard(planned.Run.Id));
        Assert.Equal((0L, 0L), c.QuerySingle<(long, long)>("SELECT (SELECT count(*) FROM invoice_lines), (SELECT count(*) FROM invoice_taxes)"));
    }

    [Fact]
    public void A_draft_whose_charges_changed_before_approval_is_left_for_review_not_issued()
    {
        using var c = Setup();
        var job = Job();
        var planned = job.Plan(December, null, "tests");
        job.DraftBatch(planned.Run.Id, 1);
        RatingData.InsertUsage(c, [UsageSpec.Sms("s4", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 21, 10, 0))]);
        Rate();

        var approved = job.ApproveBatch(planned.Run.Id, 1);

        Assert.Equal((0, 1), (approved.Issued, approved.Changed));
        Assert.Equal(("draft", true, 30.70m), c.QuerySingle<(string, bool, decimal)>("SELECT status, changed_since_draft, subtotal FROM invoices"));
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM invoiced_cycles"));
    }

    [Fact]
    public void Re_rating_an_invoiced_cycle_never_replaces_an_invoiced_charge_and_the_next_invoice_posts_the_difference()
    {
        using var c = Setup();
        RunAndApprove(December);
        var before = c.Query<(long, decimal, int)>("SELECT usage_id, amount, catalog_version FROM rated_charges ORDER BY usage_id").AsList();
        // The tariff fix: SMS at 0.15 instead of 0.10, loaded with the same effective date (the later load wins).
        var files = Billing.Catalog.CatalogSource.ReadFiles(RatingData.TemplateCatalog).ToDictionary(f => f.Key, f => f.Value);
        files["rates.csv"] = files["rates.csv"].Replace("sms_standard,0,0.10,", "sms_standard,0,0.15,", StringComparison.Ordinal);
        Billing.Storage.CatalogStore.Save(c, "fixed", Billing.Catalog.CatalogSource.Native, Billing.Catalog.CatalogChecksum.Of(files),
            Instant.FromUtc(2026, 1, 1, 0, 0), files, new Dictionary<string, string>(), "tests");

        var rerate = new RateUsageJob(_scratch.Db, new CatalogCache()).Rerate(Instant.FromUtc(2026, 11, 1, 0, 0), Instant.FromUtc(2026, 12, 1, 0, 0), null, dryRun: false);

        Assert.Equal(before, c.Query<(long, decimal, int)>("SELECT usage_id, amount, catalog_version FROM rated_charges ORDER BY usage_id").AsList());
        var invoiceId = c.ExecuteScalar<long>("SELECT id FROM invoices WHERE number = 'INV-2026-000001'");
        Assert.Equal([(invoiceId, 0.05m), (invoiceId, 0.05m), (invoiceId, 0.05m)],
            c.Query<(long, decimal)>("SELECT invoice_id, delta FROM rerate_adjustments ORDER BY usage_id").AsList());
        Assert.Equal(3, rerate.Accounts.Single().Adjustments);

        RunAndApprove(January);

        // January's fee 15.00 and the re-rating of the three SMS on INV-2026-000001, +0.15: 15.15 + VAT 3.03.
        Assert.Equal([("recurring", 15.00m), ("adjustment", 0.15m)], Lines(c, "INV-2027-000001").Select(l => (l.Kind, l.Amount)));
        Assert.Equal((15.15m, 3.03m, 18.18m), Invoice(c, January) is var i ? (i.Subtotal, i.Tax, i.Total) : default);
        Assert.Equal(0, c.ExecuteScalar<int>("SELECT count(*) FROM rerate_adjustments WHERE posted_invoice_id IS NULL"));
    }
}
