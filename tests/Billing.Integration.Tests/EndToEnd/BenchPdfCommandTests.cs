using System.Security.Cryptography;
using System.Text.Json;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>`billing bench pdf` on a small data set: what it prints and what it leaves behind, never how fast it is.</summary>
public sealed class BenchPdfCommandTests : IDisposable
{
    private readonly ScratchDatabase _db = new();
    private readonly TempDir _work = new();

    public void Dispose()
    {
        _db.Dispose();
        _work.Dispose();
    }

    [Fact]
    public void Bench_pdf_renders_every_invoice_once_a_round_and_leaves_the_last_rounds_files_recorded_as_they_are()
    {
        // 60 invoices: chunks of 25 and 35 (the second larger, so loaded at once), rendered in each of two rounds.
        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "bench", "pdf", "--invoices", "60", "--records", "5", "--workers", "2", "--repeat", "2", "--db", _db.Db.ConnectionString);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Matches(@"bench pdf: 60 invoices billed from 60 accounts × 5 records \([\d.]+ s to generate and bill\), [\d.]+ pages each, 2 worker\(s\)", stdout);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(stdout, @" round \d of 2:\n  end to end \(load, draw, write, record\): +[\d.]+ s +[\d,]+ invoices/s"));
        var ratios = System.Text.RegularExpressions.Regex.Matches(stdout, @"  ratio end to end / floor: ([\d.]+)").Select(m => decimal.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, ratios.Count);
        var median = Math.Round(ratios.Sum() / 2, 3, MidpointRounding.AwayFromZero);
        Assert.Contains($"ratio end to end / floor: median {median:F3} of 2 round(s) (target ≥ 0.7)", stdout, StringComparison.Ordinal);

        // Font programs: every invoice embeds at least a regular and a bold face; the second round draws the same invoices,
        // so each of its programs was kept from the first (or the untimed render before it).
        var programs = System.Text.RegularExpressions.Regex.Matches(stdout, @"\n    font programs: ([\d,]+) given from earlier documents with the same glyphs, ([\d,]+) made by PDFsharp \(the floor makes every one\)\n")
            .Select(m => (Reused: Count(m.Groups[1].Value), Made: Count(m.Groups[2].Value))).ToList();
        Assert.Equal(2, programs.Count);
        Assert.True(programs[0].Reused + programs[0].Made >= 120, $"{programs[0]}");
        Assert.Equal((programs[0].Reused + programs[0].Made, 0L), programs[1]);

        // Left behind: the last round's 60 files, each recorded with its size and SHA-256; the first round's folder is gone.
        var documents = Path.Combine(_work.Path, ".billing", "bench", "documents");
        Assert.Equal(["round-2"], Directory.GetDirectories(documents).Select(Path.GetFileName));
        using var c = _db.Db.Open();
        var recorded = c.Query<(string Number, string Path, long Size, string Sha256)>("SELECT number, path, size_bytes, sha256 FROM documents ORDER BY number").AsList();
        Assert.Equal(c.Query<string>("SELECT number FROM invoices WHERE status = 'issued' ORDER BY number"), recorded.Select(r => r.Number));
        Assert.Equal(60, recorded.Count);
        Assert.All(recorded, r =>
        {
            var bytes = File.ReadAllBytes(r.Path);
            Assert.Equal((Path.Combine(documents, "round-2", "invoices", r.Number + ".pdf"), bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes))), (r.Path, r.Size, r.Sha256));
        });
    }

    [Fact]
    public void Bench_pdf_with_people_names_bills_accounts_named_after_people_whose_invoices_show_them_and_reuse_data_keeps_only_the_same_kind_of_names()
    {
        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "bench", "pdf", "--people-names", "--invoices", "30", "--records", "3", "--workers", "2", "--repeat", "1", "--db", _db.Db.ConnectionString);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Contains("  accounts named after people (--people-names): names in several languages, with their letters\n", stdout, StringComparison.Ordinal);
        using var c = _db.Db.Open();
        var names = c.Query<(string Id, string Name)>("SELECT id, name FROM accounts ORDER BY id").AsList();
        Assert.Equal(30, names.Count);
        Assert.Equal(30, names.Select(n => n.Name).Distinct().Count());
        Assert.Equal(("Mary Brown", "Björn Kuznetsova"), (names[0].Name, names[16].Name)); // account i: FirstNames[i % 24], LastNames[(i / 24 + 7i) % 24]
        Assert.All(names, n => Assert.Matches(@"^\S+ \S+$", n.Name));
        var (number, path) = c.QuerySingle<(string, string)>("""
            SELECT d.number, d.path FROM documents d JOIN invoices i ON i.number = d.number WHERE i.account_id = 'BR-0000017'
            """);
        using (var pdf = UglyToad.PdfPig.PdfDocument.Open(path))
        {
            Assert.Contains(names[16].Name, pdf.GetPage(1).Text, StringComparison.Ordinal); // ö, beyond ASCII, reads back
            Assert.Contains(number, pdf.GetPage(1).Text, StringComparison.Ordinal);
        }

        // The same size without people's names is other data: generated again, not reused.
        var plain = BillingProcess.Run(_work.Path, "bench", "pdf", "--reuse-data", "--invoices", "30", "--records", "3", "--workers", "2", "--repeat", "1", "--db", _db.Db.ConnectionString);
        Assert.True(plain.Exit == 0, $"exit {plain.Exit}: {plain.Err}");
        Assert.Contains("Storing 30 accounts", plain.Out, StringComparison.Ordinal);
        Assert.Equal("Bench 1", c.ExecuteScalar<string>("SELECT name FROM accounts WHERE id = 'BR-0000001'"));
        var again = BillingProcess.Run(_work.Path, "bench", "pdf", "--reuse-data", "--invoices", "30", "--records", "3", "--workers", "2", "--repeat", "1", "--db", _db.Db.ConnectionString);
        Assert.True(again.Exit == 0, $"exit {again.Exit}: {again.Err}");
        Assert.Contains("Reusing the 30 accounts", again.Out, StringComparison.Ordinal);

        // And people's names again: generated, then reused by a run that asks for them too.
        foreach (var expected in new[] { "Storing 30 accounts", "Reusing the 30 accounts" })
        {
            var people = BillingProcess.Run(_work.Path, "bench", "pdf", "--people-names", "--reuse-data", "--invoices", "30", "--records", "3", "--workers", "2", "--repeat", "1", "--db", _db.Db.ConnectionString);
            Assert.True(people.Exit == 0, $"exit {people.Exit}: {people.Err}");
            Assert.Contains(expected, people.Out, StringComparison.Ordinal);
        }

        Assert.Equal("Mary Brown", c.ExecuteScalar<string>("SELECT name FROM accounts WHERE id = 'BR-0000001'"));
    }

    private static long Count(string digits) => long.Parse(digits, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Bench_pdf_json_holds_every_round_and_the_median_of_their_ratios_and_a_second_run_leaves_only_its_last_round()
    {
        var first = BillingProcess.Run(_work.Path, "bench", "pdf", "--invoices", "8", "--records", "3", "--workers", "1", "--repeat", "1", "--db", _db.Db.ConnectionString);
        Assert.True(first.Exit == 0, $"exit {first.Exit}: {first.Err}");
        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "bench", "pdf", "--json", "--reuse-data", "--invoices", "8", "--records", "3", "--workers", "1", "--repeat", "3", "--db", _db.Db.ConnectionString);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        // The first run's documents were moved aside and deleted after the timed rounds; of this run's, only the last round's stay.
        var bench = Path.Combine(_work.Path, ".billing", "bench");
        Assert.Equal(["documents"], Directory.GetDirectories(bench).Select(Path.GetFileName));
        Assert.Equal(["round-3"], Directory.GetDirectories(Path.Combine(bench, "documents")).Select(Path.GetFileName));
        Assert.Equal(8, Directory.GetFiles(Path.Combine(bench, "documents", "round-3", "invoices")).Length);
        var root = JsonDocument.Parse(stdout).RootElement;
        var ratios = root.GetProperty("rounds").EnumerateArray().Select(r =>
        {
            var (e2e, floor) = (r.GetProperty("endToEnd").GetProperty("invoicesPerSecond").GetDecimal(), r.GetProperty("floor").GetProperty("invoicesPerSecond").GetDecimal());
            var ratio = r.GetProperty("ratio").GetDecimal();
            var programs = r.GetProperty("fontPrograms");
            Assert.True(programs.GetProperty("reused").GetInt64() + programs.GetProperty("made").GetInt64() >= 16); // 8 invoices, two faces or more each
            Assert.Equal(Math.Round(e2e / floor, 3, MidpointRounding.AwayFromZero), ratio);
            return ratio;
        }).Order().ToList();
        Assert.Equal(3, ratios.Count);
        Assert.Equal((ratios[1], 0.7m, 3), (root.GetProperty("medianRatio").GetDecimal(), root.GetProperty("targetRatio").GetDecimal(), root.GetProperty("repeat").GetInt32()));
    }
}
