using System.Diagnostics;
using System.Security.Cryptography;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.Notifications;

/// <summary>`billing notifications send` (file channel) as a real process, SIGKILLed mid-batch and run again.</summary>
public sealed class NotificationKillTests : IDisposable
{
    private readonly ScratchDatabase _scratch = new();
    private readonly TempDir _work = new();

    public void Dispose()
    {
        _scratch.Dispose();
        _work.Dispose();
    }

    private string Outbox => Path.Combine(_work.Path, ".billing", "notifications");

    private string[] Send => ["notifications", "send", "--db", _scratch.Db.ConnectionString];

    /// <summary>
    /// Six messages in one batch; the sixth carries a letter whose file in the document store is a FIFO, so the
    /// delivery stops there for good after writing the first five files, its transaction open: the kill lands between
    /// the files and the commit, whatever the timing. Run again (the letter a real file now), every message is sent
    /// once and has exactly one file — the five written before the kill are kept as they were.
    /// </summary>
    [Fact]
    public void A_delivery_killed_after_writing_five_of_six_files_and_before_its_commit_sends_each_message_once_when_run_again()
    {
        var letter = Path.Combine(_work.Path, "INV-2026-000001.final-notice.pdf");
        byte[] pdf = [.. "%PDF-1.4 letter %%EOF"u8];
        using var c = _scratch.Db.Open();
        OutboxData.AddAccount(c, "A-1", "ann@example.org");
        var ids = OutboxData.Enqueue(c, "A-1", 6);
        c.Execute("""
            INSERT INTO documents (kind, number, path, size_bytes, sha256, rendered_at) VALUES ('letter', 'INV-2026-000001.final-notice', @letter, @size, @sha, now());
            UPDATE notifications SET attachment_kind = 'letter', attachment_number = 'INV-2026-000001.final-notice' WHERE id = @last;
            """, new { letter, size = pdf.Length, sha = Convert.ToHexStringLower(SHA256.HashData(pdf)), last = ids[^1] });
        using (var mkfifo = Process.Start("mkfifo", [letter]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        using (var p = BillingProcess.Start(_work.Path, Send))
        {
            Wait.Until(() => p.HasExited || MessageFiles().Length == 5, "five message files before the sixth's attachment", TimeSpan.FromMinutes(3));
            if (p.HasExited)
            {
                Assert.Fail($"billing notifications send ended instead of waiting for the letter: {p.StandardError.ReadToEnd()}");
            }

            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        var written = MessageFiles().ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.Equal(6, c.ExecuteScalar<long>("SELECT count(*) FROM notifications WHERE status = 'pending' AND attempts = 0")); // rolled back
        File.Delete(letter);
        File.WriteAllBytes(letter, pdf);

        var again = BillingProcess.Run(_work.Path, Send);

        Assert.True(again.Exit == 0, again.Err + again.Out);
        Assert.Equal(6, c.ExecuteScalar<long>("SELECT count(*) FROM notifications WHERE status = 'sent' AND attempts = 1"));
        var files = Directory.GetFiles(Outbox).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(7, files.Count); // six messages and the sixth's letter, nothing temporary
        Assert.All(ids, id => Assert.Single(files, f => f!.Contains($"-{id:000000}-", StringComparison.Ordinal) && f.EndsWith(".txt", StringComparison.Ordinal)));
        Assert.Equal(pdf, File.ReadAllBytes(Path.Combine(Outbox, Assert.Single(files, f => f!.EndsWith(".pdf", StringComparison.Ordinal))!)));
        Assert.All(written, w => Assert.Equal(w.Value, File.ReadAllBytes(Path.Combine(Outbox, w.Key))));
    }

    private string[] MessageFiles() => Directory.Exists(Outbox) ? Directory.GetFiles(Outbox, "*.txt") : [];
}
