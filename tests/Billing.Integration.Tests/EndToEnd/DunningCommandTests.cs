using System.Text.Json;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>`billing dunning …` and `billing aging` through the real executable; B-1 and B-2 each owe 36.00 GBP due on 2026-12-15.</summary>
public sealed class DunningCommandTests : IDisposable
{
    private readonly ReceivablesWorld _world = new(("B-1", "447700900950"), ("B-2", "447700900951"));
    private readonly TempDir _work = new();

    public DunningCommandTests()
    {
        _world.Bill(December);
    }

    public void Dispose()
    {
        _world.Dispose();
        _work.Dispose();
    }

    private string Ok(params string[] args)
    {
        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, [.. args, "--db", _world.ConnectionString]);
        Assert.True(exit == 0, $"billing {string.Join(' ', args)}: exit {exit}: {stderr}");
        return stdout;
    }

    /// <summary>The line of a text table that starts with <paramref name="first"/>, its cells separated by one space.</summary>
    private static string Row(string table, string first) =>
        table.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).Single(l => l.StartsWith(first + " ", StringComparison.Ordinal));

    [Fact]
    public void The_dry_run_shows_the_steps_due_the_run_takes_them_and_history_and_runs_show_what_was_done()
    {
        using var dry = JsonDocument.Parse(Ok("dunning", "--as-of", "2026-12-29", "--dry-run", "--json"));
        var d = dry.RootElement;
        Assert.Equal((true, 2, 2), (d.GetProperty("dryRun").GetBoolean(), d.GetProperty("accounts").GetInt32(), d.GetProperty("accountsMoved").GetInt32()));
        Assert.Equal("10.00", d.GetProperty("fees").GetProperty("GBP").GetString());
        Assert.Equal(["reminder skipped", "second-reminder taken", "late-fee taken 5.00"], d.GetProperty("moves")[0].GetProperty("steps").EnumerateArray()
            .Select(s => $"{s.GetProperty("step").GetString()} {s.GetProperty("outcome").GetString()}{(s.GetProperty("fee").GetString() is { } fee ? " " + fee : "")}"));

        var run = Ok("dunning", "--as-of", "2026-12-29", "--account", "B-1");
        Assert.Equal("B-1 INV-2026-000001 late-fee fee taken 14 36.00 5.00", Row(run, "B-1 INV-2026-000001 late-fee"));
        Assert.Contains("Steps taken: email 1, fee 1; skipped: 1; late fees: 5.00 GBP.", run, StringComparison.Ordinal);

        var again = Ok("dunning", "--as-of", "2026-12-29", "--account", "B-1");
        Assert.Contains("1 account(s) with something overdue or suspended, 0 moved.", again, StringComparison.Ordinal);

        var history = Ok("dunning", "history", "--account", "B-1");
        Assert.Equal("2026-12-29 B-1 email INV-2026-000001 second-reminder taken 14 36.00", Row(history, "2026-12-29 B-1 email INV-2026-000001 second-reminder").Split(" dunning:")[0]);
        Assert.Equal(3, history.Split('\n').Count(l => l.StartsWith("2026-12-29  B-1", StringComparison.Ordinal)));

        using var runs = JsonDocument.Parse(Ok("dunning", "runs", "--json"));
        var latest = runs.RootElement[0];
        Assert.Equal((1, 0), (latest.GetProperty("accounts").GetInt32(), latest.GetProperty("accountsMoved").GetInt32()));
        var first = runs.RootElement[1];
        Assert.Equal((1, 1, "5.00"), (first.GetProperty("actions").GetProperty("email").GetInt32(), first.GetProperty("skipped").GetInt32(), first.GetProperty("fees").GetProperty("GBP").GetString()));
    }

    [Fact]
    public void A_final_notice_letter_is_recorded_and_shown_and_pause_hold_resume_and_release_answer_in_words()
    {
        Ok("dunning", "--as-of", "2027-01-05");

        var letter = Ok("dunning", "letter", "INV-2026-000001");
        Assert.Contains("To:       Customer B-1 (account B-1)", letter, StringComparison.Ordinal);
        Assert.Contains("Invoice:  INV-2026-000001 issued 2026-12-01, due 2026-12-15, 21 days past due", letter, StringComparison.Ordinal);
        Assert.Contains("Overdue:  36.00 GBP of 36.00", letter, StringComparison.Ordinal);
        Assert.Contains("Next:     suspend on 2027-01-14", letter, StringComparison.Ordinal);
        var stored = Path.Combine(_work.Path, ".billing", "documents", "letters", "INV-2026-000001.final-notice.pdf");
        Assert.Contains($"PDF:      {stored} (", letter, StringComparison.Ordinal);
        Assert.DoesNotContain("written again", letter, StringComparison.Ordinal);
        var copy = Path.Combine(_work.Path, "letter.pdf");
        Assert.Contains($"Written to {copy}", Ok("dunning", "letter", "INV-2026-000001", "--out", copy), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(stored), File.ReadAllBytes(copy));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));

        Assert.Contains("no dunning step through 2027-02-01; from 2027-02-02", Ok("dunning", "pause", "B-1", "--until", "2027-02-01", "--note", "salary on the 1st"), StringComparison.Ordinal);
        Assert.Contains("(until 2027-02-01) ended", Ok("dunning", "resume", "B-1"), StringComparison.Ordinal);
        Assert.Contains("has no promise to pay in force", Ok("dunning", "resume", "B-1"), StringComparison.Ordinal);
        Assert.Contains("held out of the dunning ladder (dispute: wrong address)", Ok("dunning", "hold", "INV-2026-000002", "--reason", "wrong address"), StringComparison.Ordinal);
        Assert.Contains("is already held", Ok("dunning", "hold", "INV-2026-000002", "--reason", "again"), StringComparison.Ordinal);
        Assert.Contains("is back on the dunning ladder", Ok("dunning", "release", "INV-2026-000002"), StringComparison.Ordinal);

        var (exit, _, err) = BillingProcess.Run(_work.Path, ["dunning", "hold", "INV-NONE", "--reason", "x", "--db", _world.ConnectionString]);
        Assert.Equal((2, "billing: no issued invoice INV-NONE"), (exit, err.Trim()));
    }

    [Fact]
    public void Aging_puts_each_account_s_36_00_in_its_bucket_and_totals_them()
    {
        _world.Pay("B-2", 6.00m, "BANK-1");

        var text = Ok("aging", "--as-of", "2027-01-20");
        using var json = JsonDocument.Parse(Ok("aging", "--as-of", "2027-02-14", "--json"));

        Assert.Equal("B-1 GBP 0.00 0.00 36.00 0.00 0.00 36.00", Row(text, "B-1")); // 36 days past due
        Assert.Equal("B-2 GBP 0.00 0.00 30.00 0.00 0.00 30.00", Row(text, "B-2"));
        Assert.Equal("TOTAL GBP 0.00 0.00 66.00 0.00 0.00 66.00", Row(text, "TOTAL"));
        var total = json.RootElement.GetProperty("totals")[0];
        Assert.Equal(("66.00", "66.00", "66.00"), (total.GetProperty("buckets").GetProperty("61-90").GetString(), total.GetProperty("overdue").GetString(), total.GetProperty("total").GetString()));
    }
}
