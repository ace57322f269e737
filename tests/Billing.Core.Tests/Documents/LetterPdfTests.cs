using Billing.Core.Dunning;
using Billing.Documents;
using NodaTime;
using UglyToad.PdfPig;

namespace Billing.Core.Tests.Documents;

/// <summary>Dunning letters read back with PdfPig: what the customer reads is what the ladder recorded.</summary>
public class LetterPdfTests
{
    private static readonly Lazy<LetterRenderer> Shipped = new(() => new LetterRenderer(SampleDocuments.Renderer));

    /// <summary>
    /// The final notice of INV-2026-000007 (1,234.56 PLN, 1,204.56 still owed, 21 days past due) to Zoë Müller, whose
    /// account also owes 99.99 of INV-2026-000031 (7 days past due) and has 4.56 unallocated: 1,299.99 in all.
    /// </summary>
    private static DunningLetter Letter(string language = "en") => new(
        "ACC-7", "Zoë Müller", "ul. Długa 5;00-001 Warszawa", language, "final-notice", "dunning-final-notice", new LocalDate(2027, 1, 5),
        "INV-2026-000007", new LocalDate(2026, 12, 1), new LocalDate(2026, 12, 15), 21, 1_234.56m, 1_204.56m, 1_299.99m, "PLN",
        [
            new LetterInvoice("INV-2026-000007", new LocalDate(2026, 12, 1), new LocalDate(2026, 12, 15), 21, 1_204.56m),
            new LetterInvoice("INV-2026-000031", new LocalDate(2026, 12, 15), new LocalDate(2026, 12, 29), 7, 99.99m),
        ],
        "suspend", new LocalDate(2027, 1, 14));

    /// <summary>The shipped final notice's title in each language.</summary>
    private static readonly Dictionary<string, string> FinalNotice = new(StringComparer.Ordinal)
    {
        ["en"] = "Final notice",
        ["pl"] = "Ostateczne wezwanie do zapłaty",
        ["pt"] = "Último aviso",
    };

    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor.ContentOrderTextExtractor.GetText(p)));
    }

    [Fact]
    public void A_final_notice_names_the_customer_the_invoice_its_overdue_amount_to_the_cent_and_the_accounts_other_overdue_invoice()
    {
        var text = Text(Shipped.Value.Render(Letter()));

        Assert.Contains("Zoë Müller", text, StringComparison.Ordinal);
        Assert.Contains("ul. Długa 5", text, StringComparison.Ordinal);
        Assert.Contains("00-001 Warszawa", text, StringComparison.Ordinal);
        Assert.Contains("Invoice INV-2026-000007: PLN 1,204.56 overdue", text, StringComparison.Ordinal);
        Assert.Contains("INV-2026-000007 1 Dec 2026 15 Dec 2026 21 1,204.56", text, StringComparison.Ordinal);
        Assert.Contains("INV-2026-000031 15 Dec 2026 29 Dec 2026 7 99.99", text, StringComparison.Ordinal);
        Assert.Contains("Payments and credits -4.56", text, StringComparison.Ordinal); // 1,204.56 + 99.99 − 4.56 = 1,299.99
        Assert.Contains("Total overdue 1,299.99", text, StringComparison.Ordinal);
        Assert.Contains("If we have not received payment by 14 Jan 2027, your outgoing service will be suspended", text, StringComparison.Ordinal);
        Assert.Contains("Please pay PLN 1,299.99 to Northwind Mobile S.A., IBAN PL61 1090 1014 0000 0712 1981 2874 (BIC WBKPPLPP), quoting the reference INV-2026-000007.",
            text.Replace('\n', ' '), StringComparison.Ordinal); // a wrapped paragraph
    }

    [Fact]
    public void A_closing_paragraph_longer_than_the_page_goes_on_to_a_second_page_not_over_the_footer()
    {
        var closing = string.Join(" ", Enumerable.Repeat("If you have paid in the meantime, please disregard this letter; our accounts office answers on {phone}.", 40));
        var letters = new LetterRenderer(SampleDocuments.RendererWith(("letter.closing", closing)));

        var pdf = letters.Render(Letter());

        using (var document = PdfDocument.Open(pdf))
        {
            Assert.Equal(2, document.NumberOfPages);
        }

        InvoicePdfTests.NoWordsDrawnOverEachOther(pdf);
        Assert.Equal(40, System.Text.RegularExpressions.Regex.Count(Text(pdf).Replace('\n', ' '), "our accounts office answers on"));
    }

    [Fact]
    public void A_letter_in_polish_writes_its_words_amounts_and_dates_the_polish_way()
    {
        var text = Text(Shipped.Value.Render(Letter("pl")));

        Assert.Contains("Ostateczne wezwanie do zapłaty", text, StringComparison.Ordinal);
        Assert.Contains("Faktura INV-2026-000007: zaległość 1\u00A0204,56 PLN", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "dunning-final-notice", "Final notice")]
    [InlineData("en", "dunning-reminder", "Payment reminder")]
    [InlineData("en", "dunning-second-reminder", "Second reminder")]
    [InlineData("en", "dunning-pre-legal", "Overdue notice")]
    [InlineData("pl", "dunning-reminder", "Przypomnienie o płatności")]
    [InlineData("pt", "dunning-pre-legal", "Aviso de pagamento em atraso")]
    public void A_letter_is_titled_by_its_steps_template_so_only_the_final_notice_is_called_final(string language, string template, string title)
    {
        var pdf = Shipped.Value.Render(Letter(language) with { Template = template });
        var text = Text(pdf);

        Assert.Contains(title, text, StringComparison.Ordinal);
        using var document = PdfDocument.Open(pdf);
        Assert.Equal($"{title} INV-2026-000007", document.Information.Title);
        if (template != "dunning-final-notice")
        {
            Assert.DoesNotContain(FinalNotice[language], text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_letter_with_no_further_step_says_to_pay_without_delay_and_one_recorded_without_its_invoice_list_shows_its_own_invoice()
    {
        var text = Text(Shipped.Value.Render(Letter() with { Invoices = null, NextAction = null, NextDate = null, AccountOverdue = 1_204.56m }));

        Assert.Contains("Please pay without delay to avoid further collection measures.", text, StringComparison.Ordinal);
        Assert.Contains("INV-2026-000007 1 Dec 2026 15 Dec 2026 21 1,204.56", text, StringComparison.Ordinal);
        Assert.DoesNotContain("INV-2026-000031", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Payments and credits", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_re_render_is_byte_identical_and_dated_by_the_run_not_the_clock_and_two_letters_differ()
    {
        var first = Shipped.Value.Render(Letter());
        var second = Shipped.Value.Render(Letter());
        var other = Shipped.Value.Render(Letter() with { Invoice = "INV-2026-000008" });

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        using var document = PdfDocument.Open(first);
        Assert.StartsWith("D:20270105000000", document.Information.CreationDate, StringComparison.Ordinal);
    }
}
