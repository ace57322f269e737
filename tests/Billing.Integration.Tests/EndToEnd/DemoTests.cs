using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// README's first command, `billing demo`, through the real executable on sample-cdrs/: ingest, rating,
/// prepaid, then November closed by a bill run (draft, approve), the sample payments and the reconcile.
/// </summary>
public sealed class DemoTests : IDisposable
{
    private readonly ScratchDatabase _db = new();
    private readonly TempDir _work = new();

    public void Dispose()
    {
        _db.Dispose();
        _work.Dispose();
    }

    [Fact]
    public void The_demo_closes_November_with_one_invoice_per_billable_account_prorating_activation_termination_and_a_plan_change_takes_the_payments_and_reconciles()
    {
        var run = BillingProcess.Run(_work.Path, ["demo", "--samples", Repo.SampleCdrs, "--db", _db.Db.ConnectionString]);

        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}");
        Assert.Contains("Reconciled: every record of every file is accounted for", run.Out, StringComparison.Ordinal);
        // What is queued is what is delivered: a receipt for each of the 4 sample top-ups, and the 2 notices rating queued.
        Assert.Contains("4 top-up(s) credited from sample-cdrs/topups.csv, 4 receipt(s) queued;", run.Out, StringComparison.Ordinal);
        Assert.Contains("2 notification(s) queued.", run.Out, StringComparison.Ordinal);
        Assert.Contains("Notifications delivered: 6 of the 6 queued (4 top-up receipt(s), 2 from rating)", run.Out, StringComparison.Ordinal);
        using var c = _db.Db.Open();
        var invoices = c.Query<(string Number, string Account, decimal Subtotal, decimal Tax, decimal Total)>(
            "SELECT number, account_id, subtotal, tax, total FROM invoices WHERE status = 'issued' ORDER BY number").AsList();
        // Cycle day 1 accounts billed by the run of 2026-12-01, numbered gaplessly in account order. Fees are 15.00 (Postpaid 300)
        // and 25.00 (Postpaid 1000) a month in advance, prorated by days of the 30-day November; VAT 20 %.
        Assert.Equal(
            [
                ("INV-2026-000001", "ACME-001", 229.62m, 45.92m, 275.54m), // 8 numbers × (15.00 + 15.00) = 240.00, − 10 % fleet discount 24.00, + usage 3.71 + 2.61 + 4.20 + 3.10
                ("INV-2026-000002", "P-1003", 1.00m, 0.20m, 1.20m),        // prepaid: only the overdraft owed
                ("INV-2026-000003", "P-1004", 30.00m, 6.00m, 36.00m),
                ("INV-2026-000004", "P-1008", 30.00m, 6.00m, 36.00m),      // November's fee (none billed it) and December's in advance
                ("INV-2026-000005", "P-1021", 30.00m, 6.00m, 36.00m),
                ("INV-2026-000006", "P-1023", 42.00m, 8.40m, 50.40m),
                ("INV-2026-000007", "P-1025", 288.00m, 57.60m, 345.60m),   // prepaid: overdraft
                ("INV-2026-000008", "P-1031", 25.50m, 5.10m, 30.60m),      // activated 10 Nov: 21/30 × 15.00 = 10.50, + December 15.00
                ("INV-2026-000009", "P-1032", 9.50m, 1.90m, 11.40m),       // terminated 20 Nov: 19/30 × 15.00, no December
                ("INV-2026-000010", "P-1033", 45.00m, 9.00m, 54.00m),      // plan change 16 Nov: 7.50 + 15/30 × 25.00 = 12.50, + December 25.00
            ],
            invoices);
        var outstanding = c.Query<(string Number, decimal Outstanding)>("""
            SELECT i.number, i.total - coalesce((SELECT sum(a.amount) FROM allocations a WHERE a.invoice_id = i.id), 0)
            FROM invoices i WHERE i.number IN ('INV-2026-000001', 'INV-2026-000004', 'INV-2026-000005') ORDER BY i.number
            """).AsList();
        Assert.Equal([("INV-2026-000001", 25.54m), ("INV-2026-000004", 0.00m), ("INV-2026-000005", 16.00m)], outstanding);
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT count(*) FROM invoices WHERE status = 'draft'"));

        // Then the run's PDFs in the document store, and a finance user for the portal whose password the demo printed once.
        var pdfs = c.Query<string>("SELECT path FROM documents WHERE kind = 'invoice' ORDER BY number").AsList();
        Assert.Equal(10, pdfs.Count);
        Assert.All(pdfs, p => Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(p), 0, 4), StringComparison.Ordinal));
        Assert.Equal("finance", c.ExecuteScalar<string>("SELECT role FROM portal_users WHERE name = 'demo'"));
        var password = System.Text.RegularExpressions.Regex.Match(run.Out, "sign in as demo with the password ([A-Za-z0-9]{16})").Groups[1].Value;
        Assert.True(Billing.Cli.Portal.PortalPasswords.Verify(Billing.Storage.Portal.PortalUserStore.Find(c, "demo"), password, out _));

        // README's tour explains usage record 2 (the first file's claim takes id 1 from the sequence as its lower bound).
        Assert.Equal(2, c.ExecuteScalar<long>("SELECT min(id) FROM usage"));
        var explain = BillingProcess.Run(_work.Path, ["charges", "explain", "2", "--db", _db.Db.ConnectionString]);
        Assert.True(explain.Exit == 0, $"exit {explain.Exit}: {explain.Err}");
        Assert.Contains("equals the stored one", explain.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void The_demo_walks_the_overdue_accounts_up_the_dunning_ladder_and_brings_P_1004_back_when_it_pays()
    {
        var run = BillingProcess.Run(_work.Path, ["demo", "--samples", Repo.SampleCdrs, "--db", _db.Db.ConnectionString]);

        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}");
        // Due 2026-12-15. Seven consumer accounts owe at least the 5.00 minimum (P-1003's 1.20 does not); ACME-001 (business, 25.54
        // owing) starts on day 14 and pays a 2 % fee (0.51) on day 21. P-1032 has no subscription in force on day 30: nothing to bar.
        Assert.Contains("2026-12-22 (+7): Steps taken: email 7; skipped: 0; late fees: none.", run.Out, StringComparison.Ordinal);
        Assert.Contains("2026-12-29 (+14): Steps taken: email 8, fee 7; skipped: 0; late fees: 35.00 GBP.", run.Out, StringComparison.Ordinal);
        Assert.Contains("2027-01-05 (+21): Steps taken: fee 1, letter 7; skipped: 0; late fees: 0.51 GBP.", run.Out, StringComparison.Ordinal);
        Assert.Contains("2027-01-14 (+30): Steps taken: letter 1, suspend 7; skipped: 0; late fees: none. Suspended: 6 account(s) (6 subscription(s))", run.Out, StringComparison.Ordinal);
        Assert.Contains("P-1004 pays the 36.00 it owes on 2027-01-15.", run.Out, StringComparison.Ordinal);
        Assert.Contains("2027-01-15 (+31): Steps taken: none; skipped: 0; late fees: none. Suspended: 0 account(s) (0 subscription(s)); reactivated: 1 account(s).", run.Out, StringComparison.Ordinal);
        using var c = _db.Db.Open();
        Assert.Equal(5, c.ExecuteScalar<long>("SELECT count(*) FROM suspensions WHERE lifted_on IS NULL"));
        Assert.Equal("P-1004", c.ExecuteScalar<string>("SELECT account_id FROM suspensions WHERE lifted_on IS NOT NULL"));

        // The eight letters (seven on day 21, ACME-001's on day 30) are PDFs in the document store, as recorded.
        var letters = c.Query<(string Number, string Path, string Sha)>("SELECT number, path, sha256 FROM documents WHERE kind = 'letter' ORDER BY number").AsList();
        Assert.Equal(8, letters.Count);
        Assert.Contains(letters, l => l.Number == "INV-2026-000003.final-notice"); // P-1004's
        Assert.All(letters, l => Assert.Equal(l.Sha, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(l.Path)))));
        Assert.Contains($"Letters: 8 final-notice PDF(s) in {Path.Combine(_work.Path, ".billing", "documents", "letters")}", run.Out, StringComparison.Ordinal);
    }
}
