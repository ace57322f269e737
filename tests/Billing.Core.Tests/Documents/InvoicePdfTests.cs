using System.Text.RegularExpressions;
using Billing.Core.Documents;
using Billing.Documents;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Billing.Core.Tests.Documents;

/// <summary>Invoice PDFs read back with PdfPig: what a customer reads equals the invoice as stored.</summary>
public partial class InvoicePdfTests
{
    private const char Nbsp = '\u00A0';

    private static readonly InvoiceRenderer Renderer = SampleDocuments.Renderer;

    internal static IReadOnlyList<string> Pages(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages().Select(p => ContentOrderTextExtractor.GetText(p)).ToList();
    }

    private static string Text(byte[] pdf) => string.Join("\n", Pages(pdf));

    /// <summary>The line of the text that starts with <paramref name="label"/>.</summary>
    private static string LineOf(string text, string label) =>
        text.Split('\n').FirstOrDefault(l => l.StartsWith(label, StringComparison.Ordinal)) ?? $"(no line starting '{label}')";

    [Fact]
    public void The_invoice_number_name_every_total_and_the_amount_due_read_back_as_stored()
    {
        var invoice = SampleDocuments.Invoice();

        var text = Text(Renderer.Render(invoice));

        // Subtotal 1,303.40 + tax 299.78 = 1,603.18; previous balance 150.00 paid by 150.00.
        Assert.Equal(1_303.40m, invoice.Summary.CurrentCharges);
        Assert.Contains("INV-2026-000042", text, StringComparison.Ordinal);
        Assert.Contains("Zoë Müller", text, StringComparison.Ordinal);
        Assert.Equal("Previous balance 150.00", LineOf(text, "Previous balance"));
        Assert.Equal("Payments and credits -150.00", LineOf(text, "Payments and credits"));
        Assert.Equal("Current charges 1,303.40", LineOf(text, "Current charges"));
        Assert.Equal("Tax 299.78", LineOf(text, "Tax 2"));
        Assert.Equal("Total 1,603.18", LineOf(text, "Total 1,6"));
        Assert.Equal("Amount due PLN 1,603.18", LineOf(text, "Amount due"));
        Assert.Equal("VAT 23 % 23.00 % 1,303.40 299.78", LineOf(text, "VAT 23 %"));
        Assert.Equal("Payment reference INV-2026-000042", LineOf(text, "Payment reference"));
        Assert.Equal("Billing period 1 Nov 2026 – 30 Nov 2026", LineOf(text, "Billing period"));
        Assert.Equal("Due date 15 Dec 2026", LineOf(text, "Due date"));
    }

    [Fact]
    public void Every_charge_line_reads_back_with_its_kind_and_amount_and_late_usage_and_proration_are_marked()
    {
        var text = Text(Renderer.Render(SampleDocuments.Invoice()));

        Assert.Equal("Usage Calls international 1 Nov 2026 – 30 Nov 2026 20:30 1,234.56", LineOf(text, "Usage Calls international"));
        Assert.Equal("Usage Calls national 1 Nov 2026 – 30 Nov 2026 2:01:00 50:00 12.34", LineOf(text, "Usage Calls national"));
        Assert.Equal("Late usage Calls national (October) (late) 1 Oct 2026 – 31 Oct 2026 2:00 0.40", LineOf(text, "Late usage"));
        Assert.Equal("Usage Data 1 Nov 2026 – 30 Nov 2026 2,500.00 MB 2,000.00 MB 5.00", LineOf(text, "Usage Data"));
        Assert.Equal("Recurring Plan Smart 30 (prorated) 15 Nov 2026 – 30 Nov 2026 16 days 16.00", LineOf(text, "Recurring Plan Smart 30 ("));
        Assert.Equal("Recurring Plan Smart 30 1 Nov 2026 – 30 Nov 2026 30 days 30.00", LineOf(text, "Recurring Plan Smart 30 1 Nov"));
        Assert.Equal("One-time charge SIM replacement 20 Nov 2026 10.00", LineOf(text, "One-time"));
        Assert.Equal("Discount Loyalty 10 % 1 Nov 2026 – 30 Nov 2026 -4.60", LineOf(text, "Discount"));
        Assert.Equal("Adjustment Goodwill credit 1 Nov 2026 – 30 Nov 2026 -2.00", LineOf(text, "Adjustment"));
        // Subscriber subtotals: 30.00 + 1,234.56 + 12.34 + 0.40; 16.00 + 1.70 + 5.00 + 10.00; -2.00 - 4.60.
        Assert.Equal(["Subtotal 1,277.30", "Subtotal 32.70", "Subtotal -6.60"], text.Split('\n').Where(l => l.StartsWith("Subtotal", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("pl", "Do zapłaty 1\u00A0603,18 PLN", "Bieżące opłaty 1\u00A0303,40", "Termin płatności 15.12.2026")]
    [InlineData("pt", "Valor a pagar 1.603,18 PLN", "Encargos do período 1.303,40", "Data de vencimento 15/12/2026")]
    [InlineData("en", "Amount due PLN 1,603.18", "Current charges 1,303.40", "Due date 15 Dec 2026")]
    public void Amounts_and_dates_are_written_in_the_customers_language(string language, string due, string charges, string dueDate)
    {
        var lines = Text(Renderer.Render(SampleDocuments.Invoice(language: language))).Split('\n');

        // Polish groups thousands with a no-break space; the PDF's text layer gives its glyph back as a space.
        Assert.Contains(due.Replace(Nbsp, ' '), lines);
        Assert.Contains(charges.Replace(Nbsp, ' '), lines);
        Assert.Contains(dueDate, lines);
    }

    [Theory]
    [InlineData("en", "Usage Calls international 1 Nov 2026 – 30 Nov 2026 20:30 1,234,567.89", "Subtotal 1,234,610.63", "Adjustment Goodwill credit 1 Nov 2026 – 30 Nov 2026 -12,345,678.90", "Subtotal -12,345,683.50")]
    [InlineData("pl", "Usługi Calls international 01.11.2026 – 30.11.2026 20:30 1 234 567,89", "Suma 1 234 610,63", "Korekta Goodwill credit 01.11.2026 – 30.11.2026 -12 345 678,90", "Suma -12 345 683,50")]
    [InlineData("pt", "Consumos Calls international 01/11/2026 – 30/11/2026 20:30 1.234.567,89", "Subtotal 1.234.610,63", "Acerto Goodwill credit 01/11/2026 – 30/11/2026 -12.345.678,90", "Subtotal -12.345.683,50")]
    public void Amounts_of_millions_are_written_whole_inside_their_column_never_cut(string language, string usage, string subscriberSubtotal, string adjustment, string accountSubtotal)
    {
        // Calls international 1,234,567.89 instead of 1,234.56; the goodwill credit -12,345,678.90 instead of -2.00. Subtotals:
        // 30.00 + 1,234,567.89 + 12.34 + 0.40 = 1,234,610.63 for +48600100200; -12,345,678.90 - 4.60 = -12,345,683.50 for the account.
        var sample = SampleDocuments.Invoice(annex: 0, language: language);
        var invoice = sample with
        {
            Lines = [.. sample.Lines.Select(l => l.Description switch
            {
                "Calls international" => l with { Amount = 1_234_567.89m },
                "Goodwill credit" => l with { Amount = -12_345_678.90m },
                _ => l,
            })],
        };
        var pdf = Renderer.Render(invoice);

        var lines = Text(pdf).Split('\n');
        Assert.Contains(usage, lines);
        Assert.Contains(subscriberSubtotal, lines);
        Assert.Contains(adjustment, lines);
        Assert.Contains(accountSubtotal, lines);
        // On both subtotal rows the amount stays in its column, the last 62 points of the table: x from 42 + 72 + 133 + 120 + 62 + 62 = 491 to 553.28.
        using var document = PdfDocument.Open(pdf);
        var page = document.GetPage(1);
        var label = subscriberSubtotal.Split(' ')[0];
        var rows = page.GetWords().Where(w => w.Text == label).Select(w => w.Letters[0].StartBaseLine.Y).ToList();
        Assert.Equal(3, rows.Count);
        var figures = page.Letters.Where(l => l.BoundingBox.Left > 300 && rows.Any(y => Math.Abs(l.StartBaseLine.Y - y) < 0.5) && !string.IsNullOrWhiteSpace(l.Value)).ToList();
        Assert.NotEmpty(figures);
        Assert.All(figures, l => Assert.True(l.BoundingBox.Left >= 491.0 && l.BoundingBox.Right <= 553.28, $"'{l.Value}' drawn from {l.BoundingBox.Left:0.0} to {l.BoundingBox.Right:0.0}"));
    }

    [Fact]
    public void A_description_in_capitals_too_wide_for_its_column_is_cut_with_an_ellipsis_not_drawn_over_the_period()
    {
        // 25 characters, 16.9 em of DejaVu Sans (W is 0.99 em): 135 points at 8 pt, in a column of 133 (129 inside its margins).
        var sample = SampleDocuments.Invoice(annex: 0);
        var invoice = sample with { Lines = [.. sample.Lines.Select(l => l.Description == "SMS" ? l with { Description = "WORLDWIDE ROAMING MMS WAP" } : l)] };

        var pdf = Renderer.Render(invoice);

        Assert.Equal("Usage WORLDWIDE ROAMING MMS … 1 Nov 2026 – 30 Nov 2026 37 SMS 20 SMS 1.70", LineOf(Text(pdf), "Usage WORLDWIDE"));
        // The description column ends at x = 42 + 72 + 133 = 247, where the period's column starts.
        using var document = PdfDocument.Open(pdf);
        var page = document.GetPage(1);
        var row = page.GetWords().Single(w => w.Text == "WORLDWIDE").Letters[0].StartBaseLine.Y;
        var description = page.Letters.Where(l => Math.Abs(l.StartBaseLine.Y - row) < 0.5 && l.BoundingBox.Left < 247 && !string.IsNullOrWhiteSpace(l.Value)).ToList();
        Assert.All(description, l => Assert.True(l.BoundingBox.Right <= 247, $"'{l.Value}' drawn from {l.BoundingBox.Left:0.0} to {l.BoundingBox.Right:0.0}"));
    }

    [Fact]
    public void A_language_without_its_own_strings_falls_back_to_english()
    {
        var text = Text(Renderer.Render(SampleDocuments.Invoice(language: "de")));

        Assert.Equal("Amount due PLN 1,603.18", LineOf(text, "Amount due"));
    }

    [Fact]
    public void Non_ascii_names_and_addresses_come_back_unchanged()
    {
        var invoice = SampleDocuments.Invoice(name: "Zoë Müller-Łukasiewicz", address: ["Rua São Bento 5", "90-926 Łódź", "São Paulo, Brasil"]);

        var text = Text(Renderer.Render(invoice));

        Assert.Contains("Zoë Müller-Łukasiewicz", text.Split('\n'));
        Assert.Contains("Rua São Bento 5", text.Split('\n'));
        Assert.Contains("90-926 Łódź", text.Split('\n'));
        Assert.Contains("São Paulo, Brasil", text.Split('\n'));
    }

    [Fact]
    public void A_long_customer_name_and_address_wrap_inside_the_addressee_block_never_over_the_invoice_facts()
    {
        const string name = "Przedsiębiorstwo Handlowo-Usługowe Kowalski i Wspólnicy Spółka z ograniczoną odpowiedzialnością";
        const string street = "ul. Generała Władysława Andersa 1234 lokal 56, Centrum Biznesowe Warszawa Śródmieście";
        var pdf = Renderer.Render(SampleDocuments.Invoice(annex: 0, name: name, address: [street, "00-001 Warszawa"]));

        // The addressee block is 260 points wide from the left margin (x = 42 to 302); the facts (number, dates, account) start at x = 330.
        using var document = PdfDocument.Open(pdf);
        var words = document.GetPage(1).GetWords().ToList();
        foreach (var part in name.Split(' ').Concat(street.Split(' ')))
        {
            Assert.Contains(words, w => w.Text == part && w.BoundingBox.Left >= 42 && w.BoundingBox.Right <= 302);
        }

        Assert.Contains("Invoice number INV-2026-000042", Pages(pdf)[0].Split('\n'));
    }

    [Fact]
    public void The_header_of_later_pages_shortens_a_long_customer_name_into_its_half_never_over_the_operators_name()
    {
        const string name = "Przedsiębiorstwo Handlowo-Usługowe Kowalski i Wspólnicy Spółka z ograniczoną odpowiedzialnością";
        var pdf = Renderer.Render(SampleDocuments.Invoice(annex: 60, name: name));

        // The operator's name at the left half (x = 42 to 297.64), "Invoice NUMBER · name" right-aligned in the right half.
        using var document = PdfDocument.Open(pdf);
        Assert.True(document.NumberOfPages > 1);
        foreach (var page in document.GetPages().Skip(1))
        {
            var top = page.Letters.Max(l => l.StartBaseLine.Y);
            var header = page.Letters.Where(l => Math.Abs(l.StartBaseLine.Y - top) < 0.5 && !string.IsNullOrWhiteSpace(l.Value)).OrderBy(l => l.BoundingBox.Left).ToList();
            const double middle = 42 + 511.28 / 2;
            Assert.All(header, l => Assert.True(l.BoundingBox.Right <= middle || l.BoundingBox.Left >= middle, $"page {page.Number}: '{l.Value}' drawn from {l.BoundingBox.Left:0.0} to {l.BoundingBox.Right:0.0}"));
            Assert.StartsWith("Northwind", string.Concat(header.Where(l => l.BoundingBox.Right <= middle).Select(l => l.Value)), StringComparison.Ordinal);
            Assert.StartsWith("InvoiceINV-2026-000042·Przedsiębiorstwo", string.Concat(header.Where(l => l.BoundingBox.Left >= middle).Select(l => l.Value)), StringComparison.Ordinal);
            Assert.Equal("…", header[^1].Value);
        }
    }

    [Fact]
    public void A_five_thousand_record_annex_paginates_with_page_x_of_y_and_its_header_on_every_page()
    {
        var pages = Pages(Renderer.Render(SampleDocuments.Invoice(annex: 5_000)));

        // 5,000 rows of 10.5 pt on about 69 rows a page, two subscribers: far more than 70 pages.
        Assert.InRange(pages.Count, 70, 90);
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Contains($"Page {i + 1} of {pages.Count}", pages[i], StringComparison.Ordinal);
        }

        var annexStart = pages.ToList().FindIndex(p => p.Contains("Itemised usage", StringComparison.Ordinal));
        Assert.True(annexStart > 0);
        foreach (var page in pages.Skip(annexStart))
        {
            Assert.Contains("Date and time Service Number called Quantity Amount PLN", page, StringComparison.Ordinal);
        }

        var rows = pages.Skip(annexStart).Sum(p => AnnexRow().Count(p));
        Assert.Equal(5_000, rows);
    }

    [Fact]
    public void The_annex_lists_each_record_with_its_exact_rated_amount()
    {
        var invoice = SampleDocuments.Invoice(annex: 60);

        var text = Text(Renderer.Render(invoice));

        // Record 0: 61 s on 1 Nov 08:00:00 at 0.012345; record 7 (late) 1 SMS at 0.098760, written to its last non-zero decimal.
        Assert.Contains("2026-11-01 08:00:00 Calls 48221000000 1:01 0.012345", text.Split('\n'));
        Assert.Contains("2026-11-08 15:07:07 SMS 48221000007 (late) 1 SMS 0.09876", text.Split('\n'));
        Assert.Equal(60, AnnexRow().Count(text));
    }

    [Fact]
    public void With_the_annex_off_the_invoice_has_no_itemised_pages()
    {
        var invoice = SampleDocuments.Invoice() with { Annex = [] };

        var pages = Pages(Renderer.Render(invoice));

        Assert.DoesNotContain(pages, p => p.Contains("Itemised usage", StringComparison.Ordinal));
        Assert.Equal(2, pages.Count);
    }

    [Fact]
    public void The_logo_is_embedded_once_on_page_one_exactly_as_pdfsharp_encodes_it_at_its_place_in_the_letterhead()
    {
        var logo = File.ReadAllBytes(Path.Combine(RepositoryRoot.Find(), "templates", "invoices", "default", "logo.png"));
        // PDFsharp's own way: the PNG drawn with XGraphics at the letterhead's place (42, 40), 44 points square.
        using var reference = new PdfSharp.Pdf.PdfDocument();
        DocumentSettings.Apply(reference);
        var page = reference.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        using (var g = PdfSharp.Drawing.XGraphics.FromPdfPage(page))
        {
            g.DrawImage(PdfSharp.Drawing.XImage.FromStream(new MemoryStream(logo)), 42, 40, 44, 44);
        }

        using var expected = new MemoryStream();
        reference.Save(expected, false);

        var invoice = Renderer.Render(SampleDocuments.Invoice());

        // The image's encoded pixels and its transparency mask's, its size in samples and its box on the page.
        static (int Width, int Height, byte[] Bytes, byte[] Mask, double Left, double Bottom, double Right, double Top) Image(UglyToad.PdfPig.Content.Page p)
        {
            var image = Assert.Single(p.GetImages());
            var box = image.BoundingBox;
            var mask = Assert.IsAssignableFrom<UglyToad.PdfPig.Content.IPdfImage>(image.MaskImage);
            return (image.WidthInSamples, image.HeightInSamples, image.RawBytes.ToArray(), mask.RawBytes.ToArray(),
                Math.Round(box.Left, 2), Math.Round(box.Bottom, 2), Math.Round(box.Right, 2), Math.Round(box.Top, 2));
        }

        using var want = PdfDocument.Open(expected.ToArray());
        using var got = PdfDocument.Open(invoice);
        var wanted = Image(want.GetPage(1));
        Assert.Equal((96, 96, 42.0, 758.0, 86.0, 802.0), (wanted.Width, wanted.Height, wanted.Left, wanted.Bottom, wanted.Right, wanted.Top));
        var drawn = Image(got.GetPage(1));
        Assert.Equal(wanted with { Bytes = [], Mask = [] }, drawn with { Bytes = [], Mask = [] });
        Assert.Equal(wanted.Bytes, drawn.Bytes);
        Assert.Equal(wanted.Mask, drawn.Mask);
        Assert.All(got.GetPages().Skip(1), p => Assert.Empty(p.GetImages()));
    }

    [Fact]
    public void The_usage_chart_stacks_each_days_spend_voice_sms_data_from_the_bottom_in_the_brands_colours_scaled_to_its_top_line()
    {
        // 30 days; voice every day, SMS on the 20 days with i % 3 > 0, data every day: 80 bars. The highest day is
        // 21 Nov (i = 20): voice 7.50 + SMS 0.60 + data 2.00 = 10.10, so the top line is 20 and the plot 86 points high.
        using var pdf = PdfDocument.Open(Renderer.Render(SampleDocuments.Invoice()));
        var slot = (PageFlowWidth - 50) / 30;
        var bars = pdf.GetPage(1).Paths
            .Where(p => p.IsFilled && Math.Abs(p.GetBoundingRectangle()!.Value.Width - slot * 0.7) < 0.01)
            .Select(p => (Box: p.GetBoundingRectangle()!.Value, Colour: p.FillColor!.ToRGBValues()))
            .ToList();
        Assert.Equal(80, bars.Count);

        var day21 = bars.Where(b => Math.Abs(b.Box.Left - (42 + 46 + 20 * slot + slot * 0.15)) < 0.01).OrderBy(b => b.Box.Bottom).ToList();
        Assert.Equal(3, day21.Count);
        Assert.Equal([7.50 / 20 * 86, 0.60 / 20 * 86, 2.00 / 20 * 86], day21.Select(b => Math.Round(b.Box.Height, 2)));
        Assert.Equal(day21[0].Box.Top, day21[1].Box.Bottom, 3);
        Assert.Equal(day21[1].Box.Top, day21[2].Box.Bottom, 3);
        Assert.Equal([Rgb(0x0B, 0x53, 0x94), Rgb(0xE6, 0x91, 0x38), Rgb(0x6A, 0xA8, 0x4F)], day21.Select(b => Round(b.Colour)));
        Assert.All(bars, b => Assert.Equal(day21[0].Box.Bottom, bars.Where(o => Math.Abs(o.Box.Left - b.Box.Left) < 0.01).Min(o => o.Box.Bottom), 3));
    }

    [Fact]
    public void The_chart_scales_to_the_highest_days_charges_draws_none_below_zero_or_outside_the_period_and_totals_every_entry_in_its_legend()
    {
        // 3 November: voice 4.00 and a voice credit of -1.00 (not drawn), SMS 1.00; 5 November: data 2.00; 31 October,
        // before the period: data 30.00 — not drawn, yet the highest day (the top line 50, the plot 86 points high) and
        // in the data total. Legend: calls 3.00, SMS 1.00, data 32.00.
        var invoice = SampleDocuments.Invoice() with
        {
            DailySpend =
            [
                new(new NodaTime.LocalDate(2026, 11, 3), Billing.Core.Usage.ServiceType.Voice, 4.00m),
                new(new NodaTime.LocalDate(2026, 11, 3), Billing.Core.Usage.ServiceType.Voice, -1.00m),
                new(new NodaTime.LocalDate(2026, 11, 3), Billing.Core.Usage.ServiceType.Sms, 1.00m),
                new(new NodaTime.LocalDate(2026, 10, 31), Billing.Core.Usage.ServiceType.Data, 30.00m),
                new(new NodaTime.LocalDate(2026, 11, 5), Billing.Core.Usage.ServiceType.Data, 2.00m),
            ],
        };
        var rendered = Renderer.Render(invoice);
        using var pdf = PdfDocument.Open(rendered);
        var slot = (PageFlowWidth - 50) / 30;
        var bars = pdf.GetPage(1).Paths
            .Where(p => p.IsFilled && Math.Abs(p.GetBoundingRectangle()!.Value.Width - slot * 0.7) < 0.01)
            .Select(p => p.GetBoundingRectangle()!.Value)
            .OrderBy(b => b.Left).ThenBy(b => b.Bottom)
            .Select(b => (Day: (int)Math.Round((b.Left - 42 - 46 - slot * 0.15) / slot), Height: Math.Round(b.Height, 2)))
            .ToList();

        Assert.Equal([(2, Math.Round(4.00 / 50 * 86, 2)), (2, Math.Round(1.00 / 50 * 86, 2)), (4, Math.Round(2.00 / 50 * 86, 2))], bars);
        var text = Text(rendered);
        Assert.Contains("50.00", text, StringComparison.Ordinal);
        Assert.Contains("Calls PLN 3.00", text, StringComparison.Ordinal);
        Assert.Contains("SMS PLN 1.00", text, StringComparison.Ordinal);
        Assert.Contains("Data PLN 32.00", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_pages_bands_rules_bars_and_logo_are_painted_before_its_text_and_every_page_has_the_footers_rule()
    {
        // The shapes are one content stream put first on each page: nothing is painted over the text (the chart's bars
        // once were, from a stream of their own after it), and PDFsharp's text is not broken up around each shape.
        using var pdf = PdfDocument.Open(Renderer.Render(SampleDocuments.Invoice()));
        Assert.True(pdf.NumberOfPages > 1);
        foreach (var page in pdf.GetPages())
        {
            var ops = page.Operations.Select(o => o.Operator).ToList();
            var firstText = ops.IndexOf("BT");
            var lastShape = ops.FindLastIndex(o => o is "re" or "f" or "S" or "Do");
            Assert.InRange(firstText, 1, int.MaxValue);
            Assert.InRange(lastShape, 0, firstText - 1);
            // The rule over the footer: across the page, 799.89 points from its top (842 high in PDF space).
            Assert.Contains(page.Paths, p => p.IsStroked && p.GetBoundingRectangle() is { } r
                && Math.Abs(r.Bottom - (842 - 799.89)) < 0.01 && Math.Abs(r.Left - 42) < 0.01 && Math.Abs(r.Right - 553.28) < 0.01);
        }

        Assert.Contains("Do", pdf.GetPage(1).Operations.Select(o => o.Operator)); // the logo, among page 1's shapes
        Assert.True(pdf.GetPage(1).Operations.Count(o => o.Operator == "re") >= 80); // the bars among them
    }

    private const double PageFlowWidth = 595.28 - 2 * 42;

    private static (double R, double G, double B) Rgb(int r, int g, int b) => (Math.Round(r / 255.0, 3), Math.Round(g / 255.0, 3), Math.Round(b / 255.0, 3));

    private static (double R, double G, double B) Round((double R, double G, double B) c) => (Math.Round(c.R, 3), Math.Round(c.G, 3), Math.Round(c.B, 3));

    [Fact]
    public void A_re_render_is_byte_identical_and_dated_by_the_invoice_not_the_clock()
    {
        var invoice = SampleDocuments.Invoice();

        var first = Renderer.Render(invoice);
        var second = Renderer.Render(invoice);

        Assert.Equal(first, second);
        using var document = PdfDocument.Open(first);
        Assert.StartsWith("D:20261201063000", document.Information.CreationDate, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoices_rendered_on_four_threads_at_once_are_the_bytes_rendered_one_by_one()
    {
        var invoices = Enumerable.Range(1, 12).Select(i => SampleDocuments.Invoice(annex: 5 * i) with { Number = $"INV-2026-{i:000000}" }).ToList();
        var alone = invoices.Select(Renderer.Render).ToList();

        var together = new byte[invoices.Count][];
        Parallel.For(0, invoices.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => together[i] = Renderer.Render(invoices[i]));

        Assert.Equal(alone, together);
    }

    [Fact]
    public void Two_invoices_get_different_document_ids()
    {
        var first = Renderer.Render(SampleDocuments.Invoice());
        var second = Renderer.Render(SampleDocuments.Invoice() with { Number = "INV-2026-000043" });

        Assert.NotEqual(DocumentId().Match(System.Text.Encoding.ASCII.GetString(first)).Value, DocumentId().Match(System.Text.Encoding.ASCII.GetString(second)).Value);
    }

    [Fact]
    public void A_credit_note_names_the_invoice_it_credits_and_its_totals()
    {
        var text = Text(Renderer.Render(SampleDocuments.CreditNote()));

        Assert.Contains("Credit note", text, StringComparison.Ordinal);
        Assert.Equal("Credit note number CN-2026-000007", LineOf(text, "Credit note number"));
        Assert.Equal("Credits invoice INV-2026-000042", LineOf(text, "Credits invoice"));
        Assert.Equal("Current charges -10.00", LineOf(text, "Current charges"));
        Assert.Equal("Total -12.30", LineOf(text, "Total -"));
        Assert.Contains("São Paulo", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Amount due", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_credit_notes_long_reason_wraps_inside_the_margins_above_its_charges()
    {
        const string reason = "The customer was charged twice for the SIM replacement on 20 November and complained by phone on 22 November; goodwill agreed by the team lead";
        var pdf = Renderer.Render(SampleDocuments.CreditNote() with { Reason = reason });

        // The text is 511.28 points wide from the left margin: x = 42 to 553.28.
        using var document = PdfDocument.Open(pdf);
        var page = document.GetPage(1);
        var words = page.GetWords().ToList();
        foreach (var part in reason.Split(' '))
        {
            Assert.Contains(words, w => w.Text == part && w.BoundingBox.Left >= 42 && w.BoundingBox.Right <= 553.28);
        }

        var reasonBottom = words.Where(w => w.Text == "lead").Min(w => w.BoundingBox.Bottom);
        var charges = words.Single(w => w.Text == "Charges").BoundingBox.Top;
        Assert.True(charges < reasonBottom, $"the Charges heading (top at {charges:0.0}) is drawn over the reason (its last line's bottom at {reasonBottom:0.0})");
    }

    [Fact]
    public void A_second_brand_is_a_copied_folder_with_its_own_operator()
    {
        var root = Path.Combine(RepositoryRoot.Find(), "templates");
        var aurora = new InvoiceRenderer(InvoiceTemplate.Load(InvoiceTemplate.Locate(Path.Combine(root, "invoices"), "aurora")), Path.Combine(root, "fonts"));

        var text = Text(aurora.Render(SampleDocuments.Invoice(language: "pt")));

        Assert.Contains("Aurora Telecom Lda.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Northwind", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Payment_and_credit_instructions_of_many_lines_push_what_follows_down_and_no_words_are_drawn_over_each_other()
    {
        // An operator's own wording: the bank's address, a second way to pay, a line for the accounts office — well past
        // the height of the summary box beside it, and three lines of credit instructions on a credit note.
        var long_ = string.Join(" ", Enumerable.Repeat("Pay by bank transfer to {operator} at Northwind Bank, 1 Quay Street, Bristol, or by card on our website.", 8))
            + " Quote the reference {reference} with {amount} by {due}.";
        var credit = string.Join(" ", Enumerable.Repeat("This credit note reduces the balance of account {account} by {amount}.", 6));
        var brand = SampleDocuments.RendererWith(("payment-instructions", long_), ("credit-instructions", credit));

        NoWordsDrawnOverEachOther(brand.Render(SampleDocuments.Invoice()));
        NoWordsDrawnOverEachOther(brand.Render(SampleDocuments.CreditNote()));

        Assert.Contains("quoting", Text(Renderer.Render(SampleDocuments.Invoice())), StringComparison.Ordinal);
        Assert.Contains("Quote the reference INV-2026-000042", Text(brand.Render(SampleDocuments.Invoice())).Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    /// <summary>No two words of a page (the footer's too) share more than a sliver of their boxes.</summary>
    internal static void NoWordsDrawnOverEachOther(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        foreach (var page in document.GetPages())
        {
            var words = page.GetWords().Where(w => !string.IsNullOrWhiteSpace(w.Text)).ToList();
            var over = words.SelectMany((a, i) => words.Skip(i + 1).Where(b => Overlap(a.BoundingBox, b.BoundingBox)).Select(b => $"'{a.Text}' and '{b.Text}'")).ToList();
            Assert.True(over.Count == 0, $"page {page.Number}: {string.Join(", ", over.Take(5))}");
        }
    }

    /// <summary>Two words' boxes share more than a sliver (half a point each way: neighbours on a line touch).</summary>
    private static bool Overlap(UglyToad.PdfPig.Core.PdfRectangle a, UglyToad.PdfPig.Core.PdfRectangle b) =>
        Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left) > 0.5 && Math.Min(a.Top, b.Top) - Math.Max(a.Bottom, b.Bottom) > 0.5;

    [GeneratedRegex(@"^2026-1\d-\d\d \d\d:\d\d:\d\d ", RegexOptions.Multiline)]
    private static partial Regex AnnexRow();

    [GeneratedRegex(@"/ID\[<[0-9A-F]{32}>")]
    private static partial Regex DocumentId();
}
