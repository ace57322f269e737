using System.Security.Cryptography;
using System.Text.Json;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using Dapper;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>`billing invoices render` and `billing invoices pdf` through the real executable, with the templates shipped beside it.</summary>
public sealed class DocumentCommandTests : IDisposable
{
    private readonly ReceivablesWorld _world = new(("B-1", "447700900970"), ("B-2", "447700900971"));
    private readonly TempDir _work = new();

    public void Dispose()
    {
        _world.Dispose();
        _work.Dispose();
    }

    private (int Exit, string Out, string Err) Billing(params string[] args) =>
        BillingProcess.Run(_work.Path, [.. args, "--db", _world.ConnectionString]);

    private static string Ok((int Exit, string Out, string Err) run)
    {
        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}");
        return run.Out;
    }

    [Fact]
    public void Render_of_a_run_fills_the_configured_folder_and_pdf_writes_the_same_bytes_to_a_file()
    {
        var numbers = _world.Bill(December);
        File.WriteAllText(_work.File("billing.json"), """{ "documents": { "folder": "pdfs" } }""");

        var rendered = JsonDocument.Parse(Ok(Billing("invoices", "render", "--run", "2026-12-01", "--json"))).RootElement;
        var one = Ok(Billing("invoices", "pdf", numbers[0], "--out", _work.File("one.pdf")));

        Assert.Equal(2, rendered.GetProperty("invoices").GetInt32());
        Assert.Equal(numbers.Select(n => n + ".pdf").Order(StringComparer.Ordinal), Directory.GetFiles(_work.File("pdfs", "invoices")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var stored = File.ReadAllBytes(_work.File("pdfs", "invoices", numbers[0] + ".pdf"));
        Assert.Equal(stored, File.ReadAllBytes(_work.File("one.pdf")));
        Assert.Contains(_work.File("one.pdf"), one, StringComparison.Ordinal);
        using var c = _world.Open();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), c.ExecuteScalar<string>("SELECT sha256 FROM documents WHERE number = @n", new { n = numbers[0] }));
    }

    /// <summary>The copy `billing invoices pdf` wrote (a customer's name, address and calls) was readable by everyone (0644 under the usual umask), unlike the document store's.</summary>
    [Fact]
    public void Pdf_writes_its_copy_readable_by_its_owner_only_also_over_a_file_readable_by_all()
    {
        var number = _world.Bill(December)[0];
        File.WriteAllText(_work.File("old.pdf"), "an older copy");
        File.SetUnixFileMode(_work.File("old.pdf"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Ok(Billing("invoices", "pdf", number, "--out", _work.File("new.pdf")));
        Ok(Billing("invoices", "pdf", number, "--out", _work.File("old.pdf")));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_work.File("new.pdf")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_work.File("old.pdf")));
        Assert.Equal(File.ReadAllBytes(_work.File("new.pdf")), File.ReadAllBytes(_work.File("old.pdf")));
    }

    /// <summary>A --out in a folder that does not exist ended `billing invoices pdf` with an unhandled exception's stack trace (exit 1).</summary>
    [Fact]
    public void Pdf_into_a_folder_that_does_not_exist_says_which_file_it_cannot_write_in_one_line_with_exit_2()
    {
        var number = _world.Bill(December)[0];
        var path = _work.File("missing", "x.pdf");

        var run = Billing("invoices", "pdf", number, "--out", path);

        Assert.Equal(2, run.Exit);
        Assert.StartsWith($"billing: cannot write {path}: ", run.Err, StringComparison.Ordinal);
        Assert.Single(run.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Render_of_one_number_by_default_goes_under_the_state_directory_and_an_unknown_number_is_refused()
    {
        var number = _world.Bill(December)[0];

        Ok(Billing("invoices", "render", number));
        var unknown = Billing("invoices", "pdf", "INV-2099-999999");
        var both = Billing("invoices", "render", number, "--run", "2026-12-01");

        Assert.True(File.Exists(_work.File(".billing", "documents", "invoices", number + ".pdf")));
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("No issued invoice or credit note INV-2099-999999", unknown.Err, StringComparison.Ordinal);
        Assert.Equal(2, both.Exit);
    }
}
