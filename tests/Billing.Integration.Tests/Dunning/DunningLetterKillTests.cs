using System.Security.Cryptography;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using Dapper;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Dunning;

/// <summary>`billing dunning` SIGKILLed after a letter's PDF was written into the document store and before the step's commit.</summary>
public sealed class DunningLetterKillTests : IDisposable
{
    private readonly ReceivablesWorld _world = new(("L-01", "447700901201"), ("L-02", "447700901202"), ("L-03", "447700901203"));
    private readonly TempDir _work = new();

    public DunningLetterKillTests()
    {
        _world.Bill(December);
    }

    public void Dispose()
    {
        _world.Dispose();
        _work.Dispose();
    }

    private string Letters => Path.Combine(_work.Path, ".billing", "documents", "letters");

    /// <summary>
    /// Day 21 past the due date takes the final notice, a letter, for each of the three invoices. L-02's letter is
    /// written and renamed into place, then its record waits for a document row this test holds: the kill lands there.
    /// Run again, each step is taken once, each letter recorded once with the size and SHA-256 of its file, each
    /// final-notice e-mail queued once, and no temporary file is left.
    /// </summary>
    [Fact]
    public void A_run_killed_between_writing_a_letter_and_committing_its_step_takes_each_final_notice_once_with_its_file_as_recorded_when_run_again()
    {
        string[] args = ["dunning", "--as-of", "2027-01-05", "--db", _world.ConnectionString];
        using (var blocker = _world.Open())
        using (var tx = blocker.BeginTransaction())
        using (var watcher = _world.Open())
        {
            blocker.Execute("""
                INSERT INTO documents (kind, number, path, size_bytes, sha256, rendered_at)
                VALUES ('letter', 'INV-2026-000002.final-notice', '/nowhere', 1, 'blocker', now())
                """, transaction: tx);
            using var p = BillingProcess.Start(_work.Path, args);
            Wait.Until(
                () => p.HasExited || watcher.ExecuteScalar<long>("""
                    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND @blocker = ANY(pg_blocking_pids(pid))
                    """, new { blocker = blocker.ProcessID }) > 0,
                "billing dunning to wait for the letter's document row", TimeSpan.FromMinutes(3));
            if (p.HasExited)
            {
                Assert.Fail($"billing dunning finished instead of waiting: {p.StandardError.ReadToEnd()}");
            }

            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            tx.Rollback();
            Assert.Equal(["INV-2026-000001.final-notice.pdf", "INV-2026-000002.final-notice.pdf"], Directory.GetFiles(Letters).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(["INV-2026-000001.final-notice"], watcher.Query<string>("SELECT number FROM documents ORDER BY number"));
        }

        var again = BillingProcess.Run(_work.Path, args);
        Assert.True(again.Exit == 0, again.Err + again.Out);

        using var c = _world.Open();
        string[] letters = ["INV-2026-000001.final-notice", "INV-2026-000002.final-notice", "INV-2026-000003.final-notice"];
        Assert.Equal(letters.Select(l => l + ".pdf"), Directory.GetFiles(Letters).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var recorded = c.Query<(string Number, string Path, long Size, string Sha)>("SELECT number, path, size_bytes, sha256 FROM documents WHERE kind = 'letter' ORDER BY number").AsList();
        Assert.Equal(letters, recorded.Select(d => d.Number));
        Assert.All(recorded, d => Assert.Equal((d.Size, d.Sha), (new FileInfo(d.Path).Length, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(d.Path))))));
        Assert.Equal(letters.Select(l => l.Replace(".final-notice", " final-notice taken", StringComparison.Ordinal)),
            c.Query<string>("""
                SELECT i.number || ' ' || d.step || ' ' || d.outcome FROM dunning_actions d JOIN invoices i ON i.id = d.invoice_id
                WHERE d.step = 'final-notice' ORDER BY i.number
                """));
        Assert.Equal(["L-01 INV-2026-000001.final-notice", "L-02 INV-2026-000002.final-notice", "L-03 INV-2026-000003.final-notice"],
            c.Query<string>("SELECT account_id || ' ' || attachment_number FROM notifications WHERE kind = 'dunning-final-notice' ORDER BY account_id"));
        Assert.Empty(Directory.GetFiles(_work.Path, "*.tmp", SearchOption.AllDirectories));
    }
}
