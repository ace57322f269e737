using System.Security.Cryptography;
using Billing.Core.Documents;
using Billing.Core.Usage;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using Billing.Jobs.Documents;
using Billing.Storage.Documents;
using Dapper;
using NodaTime;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Documents;

/// <summary>
/// Invoices billed by the real bill run, loaded by the document store and rendered into a folder:
/// B-1 has three SMS at 0.10 and 90 s to the USA at 0.20 a minute (0.30) in November, and the
/// catch-up and advance fees (15.00 each): 30.60 + VAT 20 % 6.12 = 36.72.
/// </summary>
public sealed class DocumentRenderTests : IDisposable
{
    private const string Msisdn = "447700900960";
    private readonly ReceivablesWorld _world = new(("B-1", Msisdn), ("B-2", "447700900961"));
    private readonly TempDir _folder = new();

    public DocumentRenderTests()
    {
        _world.Usage(
            UsageSpec.Sms("s1", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 3, 10, 0)),
            UsageSpec.Sms("s2", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 4, 10, 0)),
            UsageSpec.Sms("s3", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 5, 10, 0)),
            UsageSpec.Voice("v1", Msisdn, "12025550123", Instant.FromUtc(2026, 11, 6, 10, 0), 90));
        using var c = _world.Open();
        c.Execute("UPDATE accounts SET name = 'Zoë Müller', billing_address = E'ul. Piotrkowska 104\\n90-926 Łódź\\nPolska', language = 'pl' WHERE id = 'B-1'");
    }

    public void Dispose()
    {
        _folder.Dispose();
        _world.Dispose();
    }

    private RenderDocumentsJob Job(DocumentOptions? options = null) => Rendering.Job(_world.Db, _folder.Path, options);

    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => ContentOrderTextExtractor.GetText(p)));
    }

    private InvoiceDocument Load(string number, bool annex = true)
    {
        using var c = _world.Open();
        return Assert.Single(DocumentStore.LoadInvoices(c, [number], annex));
    }

    [Fact]
    public void The_store_loads_an_issued_invoice_with_every_figure_as_stored_and_its_usage_per_day_and_record()
    {
        var number = _world.Bill(December)[0];

        var invoice = Load(number);

        var t = _world.Totals(number);
        Assert.Equal((30.60m, 6.12m, 36.72m, 0m, 0m, 36.72m), t);
        Assert.Equal(new DocumentSummary(t.Previous, t.Paid, t.Subtotal, t.Tax, t.Total, t.Due), invoice.Summary);
        Assert.Equal(_world.Lines(number).Select(l => l.Amount), invoice.Lines.Select(l => l.Amount));
        Assert.Equal(("B-1", "Zoë Müller", "pl"), (invoice.Customer.AccountId, invoice.Customer.Name, invoice.Customer.Language));
        Assert.Equal(["ul. Piotrkowska 104", "90-926 Łódź", "Polska"], invoice.Customer.AddressLines);
        Assert.Equal((new LocalDate(2026, 11, 1), new LocalDate(2026, 12, 1)), (invoice.PeriodStart, invoice.PeriodEnd));
        // Daily spend: 0.10 on 3, 4 and 5 November (SMS), 0.30 on 6 November (voice), on London's days.
        Assert.Equal(
            [(new LocalDate(2026, 11, 3), 0.10m), (new LocalDate(2026, 11, 4), 0.10m), (new LocalDate(2026, 11, 5), 0.10m), (new LocalDate(2026, 11, 6), 0.30m)],
            invoice.DailySpend.Select(d => (d.Day, d.Amount)));
        Assert.Equal(
            [("447700900123", 1L, 0.10m), ("447700900123", 1L, 0.10m), ("447700900123", 1L, 0.10m), ("12025550123", 90L, 0.30m)],
            invoice.Annex.Select(a => (a.Destination!, a.Quantity, a.Amount)));
        Assert.All(invoice.Annex, a => Assert.Equal(Msisdn, a.Msisdn));
    }

    [Fact]
    public void Invoices_loaded_together_each_get_their_own_lines_and_taxes_in_the_order_stored()
    {
        var numbers = _world.Bill(December);
        Assert.Equal(2, numbers.Count);

        IReadOnlyList<InvoiceDocument> loaded;
        using (var c = _world.Open())
        {
            loaded = DocumentStore.LoadInvoices(c, [numbers[1], numbers[0]], annex: true);
        }

        // In the order asked; B-1 (its usage and fees) and B-2 (its fees only) apart.
        Assert.Equal([numbers[1], numbers[0]], loaded.Select(d => d.Number));
        using var conn = _world.Open();
        foreach (var invoice in loaded)
        {
            Assert.Equal(_world.Lines(invoice.Number).Select(l => (l.Description, l.Amount)), invoice.Lines.Select(l => (l.Description, l.Amount)));
            var taxes = conn.Query<(string, decimal, decimal)>("""
                SELECT t.name, t.base, t.amount FROM invoice_taxes t JOIN invoices i ON i.id = t.invoice_id WHERE i.number = @number ORDER BY t.category
                """, new { number = invoice.Number }).AsList();
            Assert.NotEmpty(taxes);
            Assert.Equal(taxes, invoice.Taxes.Select(t => (t.Name, t.Base, t.Amount)));
        }

        Assert.Equal((4, 2), (loaded.Single(d => d.Customer.AccountId == "B-1").Lines.Count, loaded.Single(d => d.Customer.AccountId == "B-2").Lines.Count));
    }

    [Fact]
    public void The_daily_spend_is_the_same_with_or_without_the_annex_and_leaves_out_the_late_record_the_annex_lists()
    {
        _world.Bill(December);
        _world.Usage(
            UsageSpec.Sms("late", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 20, 10, 0)),
            UsageSpec.Sms("d1", Msisdn, "447700900123", Instant.FromUtc(2026, 12, 2, 10, 0)),
            UsageSpec.Sms("d2", Msisdn, "447700900123", Instant.FromUtc(2026, 12, 2, 11, 0)),
            UsageSpec.Voice("d3", Msisdn, "12025550123", Instant.FromUtc(2026, 12, 3, 10, 0), 60));
        var number = _world.Bill(January)[0];

        var withAnnex = Load(number);
        var without = Load(number, annex: false);

        // December's own charges: two SMS at 0.10 on the 2nd, 60 s to the USA at 0.20 a minute on the 3rd; the late
        // SMS of 20 November is in the annex but not in December's chart.
        Assert.Equal(
            [(new LocalDate(2026, 12, 2), ServiceType.Sms, 0.20m), (new LocalDate(2026, 12, 3), ServiceType.Voice, 0.20m)],
            withAnnex.DailySpend.Select(d => (d.Day, d.Service, d.Amount)));
        Assert.Equal(without.DailySpend, withAnnex.DailySpend);
        Assert.Equal(
            [(new LocalDate(2026, 11, 20), true, 0.10m), (new LocalDate(2026, 12, 2), false, 0.10m), (new LocalDate(2026, 12, 2), false, 0.10m), (new LocalDate(2026, 12, 3), false, 0.20m)],
            withAnnex.Annex.Select(a => (a.Start.Date, a.Late, a.Amount)));
        Assert.Empty(without.Annex);
    }

    [Fact]
    public void The_annex_and_the_chart_put_each_record_on_the_accounts_own_clock_and_day()
    {
        using (var c = _world.Open())
        {
            c.Execute("UPDATE accounts SET time_zone = 'Asia/Tokyo' WHERE id = 'B-1'");
        }

        _world.Usage(UsageSpec.Sms("evening", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 20, 20, 30)));
        var number = _world.Bill(December)[0];

        var withAnnex = Load(number);
        var without = Load(number, annex: false);

        // 20:30 UTC on 20 November is 05:30 on the 21st in Tokyo (UTC+9): the annex shows that time, and the chart counts
        // the SMS on the 21st — the same days whether summed from the annex or by the spend query without it.
        Assert.Contains(withAnnex.Annex, a => a.Start == new LocalDateTime(2026, 11, 21, 5, 30) && a.Amount == 0.10m);
        Assert.Contains(withAnnex.Annex, a => a.Start == new LocalDateTime(2026, 11, 3, 19, 0));
        Assert.Contains(withAnnex.DailySpend, d => d.Day == new LocalDate(2026, 11, 21) && d.Service == ServiceType.Sms && d.Amount == 0.10m);
        Assert.DoesNotContain(withAnnex.DailySpend, d => d.Day == new LocalDate(2026, 11, 20));
        Assert.Equal(without.DailySpend, withAnnex.DailySpend);
    }

    [Fact]
    public void The_annex_lists_each_subscriber_in_number_order_then_by_event_time_and_records_of_one_moment_in_the_order_received()
    {
        const string Other = "447700900950"; // B-1's second number: listed before 447700900960
        using (var c = _world.Open())
        {
            RatingData.AddSubscriber(c, "B-1", Other, "uk_postpaid_300", Instant.FromUtc(2026, 1, 1, 0, 0), billCycleDay: 1);
        }

        _world.Usage(
            UsageSpec.Sms("a1", Other, "447700900001", Instant.FromUtc(2026, 11, 4, 10, 0)),
            UsageSpec.Sms("a2", Other, "447700900002", Instant.FromUtc(2026, 11, 2, 10, 0)),
            UsageSpec.Sms("a3", Other, "447700900003", Instant.FromUtc(2026, 11, 7, 9, 0)),
            UsageSpec.Sms("a4", Other, "447700900004", Instant.FromUtc(2026, 11, 7, 9, 0)));
        var number = _world.Bill(December).Single(n => Load(n).Customer.AccountId == "B-1");

        var annex = Load(number).Annex;

        Assert.Equal(
            [
                (Other, "447700900002"), (Other, "447700900001"), (Other, "447700900003"), (Other, "447700900004"),
                (Msisdn, "447700900123"), (Msisdn, "447700900123"), (Msisdn, "447700900123"), (Msisdn, "12025550123"),
            ],
            annex.Select(a => (a.Msisdn, a.Destination!)));
        Assert.Equal(new LocalDateTime(2026, 11, 2, 10, 0), annex[0].Start);
    }

    [Fact]
    public void Rendering_a_run_writes_one_pdf_per_invoice_named_by_number_with_its_size_and_sha256_recorded()
    {
        var numbers = _world.Bill(December);
        using var c = _world.Open();
        var runId = c.ExecuteScalar<long>("SELECT run_id FROM invoices WHERE number = @n", new { n = numbers[0] });

        var outcome = Job().RenderRun(runId);

        Assert.Equal(2, outcome.Invoices);
        foreach (var number in numbers)
        {
            var recorded = DocumentStore.Find(c, number)!;
            var bytes = File.ReadAllBytes(recorded.Path);
            Assert.Equal(Path.Combine(_folder.Path, "invoices", number + ".pdf"), recorded.Path);
            Assert.Equal((bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)), Rendering.RenderedAt), (recorded.SizeBytes, recorded.Sha256, recorded.RenderedAt));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_folder.Path, "invoices"), "*.tmp"));
    }

    [Fact]
    public void The_pdf_shows_the_stored_number_name_totals_and_amount_due_in_the_customers_language()
    {
        var number = _world.Bill(December)[0];

        var text = Text(Job().RenderOne(number)!.Value.Pdf).Split('\n');

        // Polish: comma decimals, the currency after the amount.
        Assert.Contains($"Numer faktury {number}", text);
        Assert.Contains("Zoë Müller", text);
        Assert.Contains("90-926 Łódź", text);
        Assert.Contains("Bieżące opłaty 30,60", text);
        Assert.Contains("Podatek 6,12", text);
        Assert.Contains("Razem 36,72", text);
        Assert.Contains("Do zapłaty 36,72 GBP", text);
        Assert.Contains("Wykaz połączeń", text);
    }

    [Fact]
    public void Rendering_an_invoice_again_gives_the_same_bytes_and_keeps_one_record()
    {
        var number = _world.Bill(December)[0];
        var job = Job();
        job.Render([number], []);
        var first = File.ReadAllBytes(Path.Combine(_folder.Path, "invoices", number + ".pdf"));

        job.Render([number], []);

        Assert.Equal(first, File.ReadAllBytes(Path.Combine(_folder.Path, "invoices", number + ".pdf")));
        using var c = _world.Open();
        Assert.Equal(1, c.ExecuteScalar<long>("SELECT count(*) FROM documents WHERE number = @number", new { number }));
    }

    [Fact]
    public void A_render_writes_each_file_from_where_it_was_saved_with_the_bytes_of_the_document_drawn_alone()
    {
        // One worker draws both invoices in turn into its one save buffer: the larger first (B-1 has the usage), so a file
        // written past the second document's own length, or before its random values were fixed, would differ.
        var numbers = _world.Bill(December);
        var job = Job(new DocumentOptions { Workers = 1 });
        var alone = numbers.Select(n => job.RenderOne(n)!.Value.Pdf).ToArray();
        Assert.True(alone[0].Length > alone[1].Length, $"{alone[0].Length} bytes then {alone[1].Length}");

        job.Render(numbers, []);

        Assert.Equal(alone, numbers.Select(n => File.ReadAllBytes(Path.Combine(_folder.Path, "invoices", n + ".pdf"))));
    }

    [Fact]
    public void An_account_with_the_annex_off_and_a_configuration_with_it_off_get_no_itemised_usage()
    {
        var number = _world.Bill(December)[0];
        using (var c = _world.Open())
        {
            Assert.Equal(4, Load(number).Annex.Count);
            c.Execute("UPDATE accounts SET itemised_annex = false WHERE id = 'B-1'");
        }

        Assert.Empty(Load(number).Annex);
        Assert.DoesNotContain("Wykaz połączeń", Text(Job().RenderOne(number)!.Value.Pdf), StringComparison.Ordinal);
        using (var c = _world.Open())
        {
            c.Execute("UPDATE accounts SET itemised_annex = true WHERE id = 'B-1'");
        }

        Assert.Empty(Load(number, annex: false).Annex);
    }

    [Fact]
    public void A_credit_note_is_rendered_into_the_credit_notes_folder_with_its_totals_and_the_invoice_it_credits()
    {
        var number = _world.Bill(December)[0];
        var note = _world.Receivables().IssueCreditNote(number, 12.00m, null, "Goodwill", "tests").Issued!;

        var outcome = Job().Render([], [note.Number]);

        Assert.Equal(1, outcome.CreditNotes);
        var text = Text(File.ReadAllBytes(Path.Combine(_folder.Path, "credit-notes", note.Number + ".pdf"))).Split('\n');
        // 12.00 gross at 20 %: 10.00 net and 2.00 VAT, credited.
        Assert.Contains($"Numer korekty {note.Number}", text);
        Assert.Contains($"Koryguje fakturę {number}", text);
        Assert.Contains("Razem -12,00", text);
        Assert.Contains("Przyczyna: Goodwill", text);
    }

    [Fact]
    public void The_next_invoice_lists_the_payment_counted_in_its_payments_and_credits()
    {
        _world.Bill(December);
        _world.Pay("B-1", 36.72m, "PAY-0001");

        var january = _world.Bill(January)[0];

        var invoice = Load(january);
        Assert.Equal(36.72m, invoice.Summary.PaymentsAndCredits);
        Assert.Equal([("PAY-0001", 36.72m)], invoice.Payments.Select(p => (p.Reference, p.Amount)));
    }
}
