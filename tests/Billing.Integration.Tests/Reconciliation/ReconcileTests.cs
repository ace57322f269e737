using System.Text.Json;
using Billing.Cli;
using Billing.Cli.Commands;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Catalog;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Mediation;
using Billing.Jobs.Rating;
using Billing.Mediation;
using Dapper;
using NodaTime;
using NodaTime.Testing;

namespace Billing.Integration.Tests.Reconciliation;

/// <summary>
/// `billing reconcile` on a whole chain: two CDR files (a duplicate, a filtered and two suspended
/// records, one of them recycled after a numbering fix), an unknown number held by rating, the
/// December bill run of accounts B-1 and B-2 (templates/catalog: 15.00 a month in advance, SMS to a
/// UK mobile 0.10, calls to the USA 0.20 a minute, VAT 20 %), a late SMS billed in January. Then each
/// link is broken in SQL and the reconcile must name it.
/// </summary>
public sealed class ReconcileTests : IDisposable
{
    private static readonly LocalDate December = new(2026, 12, 1);
    private readonly ScratchDatabase _scratch = new();
    private readonly TempDir _drop = new();
    private readonly FakeClock _clock = new(Instant.FromUtc(2027, 1, 2, 6, 0));

    public void Dispose()
    {
        _scratch.Dispose();
        _drop.Dispose();
    }

    /// <summary>The canonical source on a PBX numbering plan; extensions (4 digits) only once configured.</summary>
    private MediationOptions Options(bool extensions) => Drops.Options(_drop.Path) with
    {
        Sources = [new SourceOptions { Name = "canonical", Format = CdrFormat.Canonical, Numbering = DefaultSources.PbxPlan with { ExtensionPrefix = extensions ? "4420794" : "" } }],
    };

    private void BillAndApprove(LocalDate date)
    {
        var job = new BillRunJob(_scratch.Db, new CatalogCache(), new InvoicingOptions(), _clock);
        var planned = job.Plan(date, null, "tests");
        job.DraftAll(planned.Run.Id);
        job.ApproveAll(planned.Run.Id);
    }

    private void Rate() => new RateUsageJob(_scratch.Db, new CatalogCache()).RateAll(1000);

    /// <summary>The chain up to the December bill run's drafts (approved too unless <paramref name="approve"/> is false), and the late SMS billed in January.</summary>
    private Npgsql.NpgsqlConnection Chain(bool approve = true)
    {
        var c = _scratch.Db.Open();
        RatingData.SaveTemplateCatalog(c, Instant.FromUtc(2026, 1, 1, 0, 0));
        RatingData.AddSubscriber(c, "B-1", "447700900950", "uk_postpaid_300", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1);
        RatingData.AddSubscriber(c, "B-2", "44207941001", "uk_postpaid_300", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1);
        Drops.Put(_drop.Path, "canonical", "a.csv", Drops.CanonicalHeader + "\n" + """
            r1,sms,07700900950,07700900123,2026-11-03T10:00:00Z,,,
            r2,voice,07700900950,0012025550123,2026-11-06T10:00:00Z,90,,
            r3,voice,07700900950,07700900123,2026-11-06T11:00:00Z,0,,
            r4,sms,1001,07700900123,2026-11-07T10:00:00Z,,,
            r5,sms,07700900950,07700900123,yesterday,,,
            r6,sms,07700900999,07700900123,2026-11-08T10:00:00Z,,,

            """.Replace("\r", "", StringComparison.Ordinal));
        var ingest = new IngestDropFolderJob(_scratch.Db, Options(extensions: false), _clock);
        var first = Assert.Single(ingest.IngestAll());
        Assert.Equal((6L, 3L, 2L, 0L, 1L), (first.Manifest.Read, first.Manifest.Accepted, first.Manifest.Suspended, first.Manifest.Duplicates, first.Manifest.Filtered));
        Drops.Put(_drop.Path, "canonical", "b.csv", Drops.CanonicalHeader + "\nr1,sms,07700900950,07700900123,2026-11-03T10:00:00Z,,,\nr7,sms,07700900950,07700900123,2026-11-09T10:00:00Z,,,\n");
        var second = Assert.Single(ingest.IngestAll());
        Assert.Equal((2L, 1L, 1L), (second.Manifest.Read, second.Manifest.Accepted, second.Manifest.Duplicates));
        Assert.Equal(1, new RecycleSuspenseJob(_scratch.Db, Options(extensions: true)).Run().Recycled);
        Rate();
        if (!approve)
        {
            var job = new BillRunJob(_scratch.Db, new CatalogCache(), new InvoicingOptions(), _clock);
            job.DraftAll(job.Plan(December, null, "tests").Run.Id);
            return c;
        }

        BillAndApprove(December);
        RatingData.InsertUsage(c, [UsageSpec.Sms("late", "447700900950", "447700900123", Instant.FromUtc(2026, 11, 20, 10, 0))]);
        Rate();
        BillAndApprove(new LocalDate(2027, 1, 1));
        return c;
    }

    private (int Exit, JsonElement Report, string Text) Reconcile()
    {
        var json = new StringWriter();
        var exit = ReconcileCommands.Run(new GlobalOptions(_scratch.Db.ConnectionString, null, false, true), "2026-12-01", json);
        var text = new StringWriter();
        Assert.Equal(exit, ReconcileCommands.Run(new GlobalOptions(_scratch.Db.ConnectionString, null, false, false), "2026-12-01", text));
        return (exit, JsonDocument.Parse(json.ToString()).RootElement.Clone(), text.ToString());
    }

    private static List<(string Link, string Code, string Subject, string Detail)> Differences(JsonElement report) =>
        [.. report.GetProperty("differences").EnumerateArray().Select(d =>
            (d.GetProperty("link").GetString()!, d.GetProperty("code").GetString()!, d.GetProperty("subject").GetString()!, d.GetProperty("detail").GetString()!))];

    private static string Figures(JsonElement e, params string[] names) => string.Join(" ", names.Select(n => e.GetProperty(n).ToString()));

    private void Break(string sql)
    {
        using var c = _scratch.Db.Open();
        c.Execute(sql);
    }

    [Fact]
    public void A_clean_chain_reconciles_every_record_charge_line_and_sum_and_exits_0()
    {
        using var c = Chain();

        var (exit, report, text) = Reconcile();

        Assert.Equal(0, exit);
        Assert.True(report.GetProperty("reconciled").GetBoolean());
        Assert.Empty(Differences(report));
        // a.csv 6 = 3 + 2 + 0 + 1, b.csv 2 = 1 + 0 + 1 + 0, the late SMS's file 1 = 1; r4 recycled into usage.
        Assert.Equal("3 9 5 2 1 1 1", Figures(report.GetProperty("mediation"), "files", "read", "accepted", "suspended", "duplicates", "filtered", "recycled"));
        // r1, r2, r7, the recycled r4 and the late SMS rated; r6 (no subscriber) held.
        Assert.Equal("6 5 1", Figures(report.GetProperty("rating"), "usage", "rated", "held"));
        Assert.Equal(1, report.GetProperty("rating").GetProperty("heldByReason").GetProperty("unknown-subscriber").GetInt32());
        var invoicing = report.GetProperty("invoicing");
        // B-1: two SMS and the call on its December invoice, the late SMS on its January one; B-2: the recycled SMS.
        Assert.Equal("2 0 4 5 1 0", Figures(invoicing, "invoicesIssued", "draftsWaiting", "linesMatched", "chargesBilled", "lateBilled", "lateWaiting"));
        Assert.Equal("0.700000", invoicing.GetProperty("amountBilled").GetProperty("GBP").GetString());
        Assert.Equal(0, invoicing.GetProperty("notBilled").GetProperty("charges").GetInt32());
        // B-1: November and December fees 30.00 + 0.50 usage + VAT 6.10 = 36.60; B-2: 30.00 + 0.10 + 6.02 = 36.12.
        Assert.Equal("2 7", Figures(report.GetProperty("sums"), "invoices", "lines"));
        Assert.Equal("72.720000", report.GetProperty("sums").GetProperty("total").GetProperty("GBP").GetString());
        Assert.Contains("Reconciled: every record of every file is accounted for", text, StringComparison.Ordinal);
        Assert.Contains("read 9 = accepted 5 + suspended 2 + duplicates 1 + filtered 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Charges_of_a_drafted_but_unapproved_run_are_not_billed_yet_which_is_no_difference()
    {
        using var c = Chain(approve: false);

        var (exit, report, text) = Reconcile();

        Assert.Equal(0, exit);
        var invoicing = report.GetProperty("invoicing");
        Assert.Equal("0 2 0", Figures(invoicing, "invoicesIssued", "draftsWaiting", "chargesBilled"));
        Assert.Equal("2 4", Figures(invoicing.GetProperty("notBilled"), "accounts", "charges"));
        Assert.Equal("0.600000", invoicing.GetProperty("notBilled").GetProperty("amount").GetProperty("GBP").GetString());
        Assert.Contains("not billed yet: 4 charge(s) of 2 account(s) (GBP 0.600000 as rated, 6 dp)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_usage_row_deleted_from_an_archived_file_breaks_the_files_manifest_and_leaves_its_charge_without_usage()
    {
        using var c = Chain();
        Break("DELETE FROM usage WHERE record_key = 'r7'");

        var (exit, report, text) = Reconcile();

        Assert.Equal(1, exit);
        var differences = Differences(report);
        var file = Assert.Single(differences, d => d.Code == "accepted-not-in-usage");
        Assert.Equal("mediation", file.Link);
        Assert.EndsWith("canonical/b.csv", file.Subject, StringComparison.Ordinal);
        Assert.StartsWith("accepted 1, but 0 usage rows", file.Detail, StringComparison.Ordinal);
        Assert.Contains(differences, d => d.Code == "charge-without-usage" && d.Link == "rating");
        Assert.Equal(2, report.GetProperty("differenceCount").GetInt32());
        Assert.Contains("NOT RECONCILED: 2 difference(s).", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_hold_leaves_its_usage_record_neither_rated_nor_held()
    {
        using var c = Chain();
        Break("DELETE FROM rating_holds");

        var (exit, report, _) = Reconcile();

        Assert.Equal(1, exit);
        var d = Assert.Single(Differences(report));
        Assert.Equal(("rating", "neither-rated-nor-held"), (d.Link, d.Code));
        Assert.EndsWith("canonical:r6", d.Subject, StringComparison.Ordinal);
        Assert.Equal("447700900999 at 2026-11-08T10:00:00Z, no subscriber at the time: neither rated nor held", d.Detail);
    }

    [Fact]
    public void A_late_charge_flipped_to_its_cycle_is_billed_twice_and_both_invoices_lines_no_longer_match()
    {
        using var c = Chain();
        Break("UPDATE rated_charges SET late = false WHERE late");

        var (exit, report, _) = Reconcile();

        Assert.Equal(1, exit);
        var differences = Differences(report);
        var twice = Assert.Single(differences, d => d.Code == "billed-twice");
        Assert.Equal("on INV-2026-000001, the invoice of their cycle, and marked billed by INV-2027-000001 as well", twice.Detail);
        Assert.StartsWith("1 charge(s) of B-1, cycle starting 2026-11-01 (0.100000 GBP", twice.Subject, StringComparison.Ordinal);
        // December's SMS line carries 2 charges, the cycle now has 3; January's late line carries 1 the invoice no longer bills.
        Assert.Contains(differences, d => d.Code == "line-charges-differ" && d.Subject.StartsWith("INV-2026-000001 usage line 447700900950 sms", StringComparison.Ordinal)
            && d.Detail == "the line carries 2 charges (0.200000 GBP); the rated charges the invoice bills: 3 (0.300000 GBP)");
        Assert.Contains(differences, d => d.Code == "line-charges-differ" && d.Subject.StartsWith("INV-2027-000001 late-usage line 447700900950 sms", StringComparison.Ordinal)
            && d.Detail.StartsWith("1 line(s) carry 1 charges (0.100000 GBP), but the invoice bills no rated charge of it", StringComparison.Ordinal));
        Assert.Equal(3, report.GetProperty("differenceCount").GetInt32());
    }

    [Theory]
    [InlineData("UPDATE invoice_lines SET amount = amount + 0.01 WHERE kind = 'usage' AND service = 1", "invoice-sums", "lines-not-subtotal",
        "4 lines sum to 30.510000, the subtotal is 30.500000 GBP")]
    [InlineData("UPDATE invoice_lines SET amount = 0.295, exact_amount = 0.295 WHERE kind = 'usage' AND service = 1", "invoicing", "line-charges-differ",
        "the line carries 1 charges (0.295000 GBP); the rated charges the invoice bills: 1 (0.300000 GBP)")]
    [InlineData("UPDATE invoice_lines SET amount = 0.295, exact_amount = 0.295 WHERE kind = 'usage' AND service = 1", "invoice-sums", "finer-than-minor-unit",
        "line 3 amount 0.295000 has more decimals than GBP allows (2)")]
    [InlineData("UPDATE invoice_lines SET charge_count = 0 WHERE kind = 'usage' AND service = 2 AND invoice_id = (SELECT id FROM invoices WHERE number = 'INV-2026-000002')", "invoicing", "line-charges-differ",
        "the line carries 0 charges (0.100000 GBP); the rated charges the invoice bills: 1 (0.100000 GBP)")]
    public void A_changed_line_of_an_issued_invoice_is_named(string change, string link, string code, string detail)
    {
        using var c = Chain();
        // Issued lines are immutable: the database refuses the change unless its trigger is off.
        Break($"""
            ALTER TABLE invoice_lines DISABLE TRIGGER invoice_lines_immutable_once_issued;
            {change};
            ALTER TABLE invoice_lines ENABLE TRIGGER invoice_lines_immutable_once_issued;
            """);

        var (exit, report, text) = Reconcile();

        Assert.Equal(1, exit);
        Assert.Contains(Differences(report), d => (d.Link, d.Code, d.Detail) == (link, code, detail));
        Assert.Contains(code, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cycle_end_on_day_29_is_refused_since_no_cycle_ends_on_it()
    {
        var e = Assert.Throws<UserErrorException>(() => ReconcileCommands.Run(new GlobalOptions(_scratch.Db.ConnectionString, null, false, false), "2026-12-29", TextWriter.Null));

        Assert.Equal("--cycle-end '2026-12-29': bill cycles start on day 1–28, so no cycle ends on day 29.", e.Message);
    }
}
