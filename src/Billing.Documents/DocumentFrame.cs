using System.Globalization;
using NodaTime;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Billing.Documents;

/// <summary>What is done with a document's PDF bytes where they were saved: they are valid only during the call.</summary>
public delegate T PdfBytes<out T>(ReadOnlySpan<byte> pdf);

/// <summary>
/// What every document of a brand shares, whatever it says: the file's metadata (dated by the document,
/// never the clock), the letterhead, word-wrapped paragraphs, the legal footer with "page x of y" on
/// every page, and the deterministic save.
/// </summary>
internal static class DocumentFrame
{
    /// <summary>A new PDF dated <paramref name="dated"/> (its creation and modification dates), titled and in <paramref name="language"/>.</summary>
    public static PdfDocument Open(InvoiceTemplate template, DocumentLanguage language, string title, Instant dated)
    {
        var pdf = new PdfDocument();
        var at = dated.ToDateTimeUtc();
        var info = pdf.Info; // each read looks the dictionary up in the trailer
        info.CreationDate = at;
        info.ModificationDate = at;
        info.Title = title;
        info.Author = template.Value("operator");
        info.Creator = "Billing.Batch";
        pdf.Language = language.Code;
        DocumentSettings.Apply(pdf);
        return pdf;
    }

    /// <summary>Each thread's stream to save into: grown once to a document's size (past the large-object heap's threshold), then reused.</summary>
    [ThreadStatic]
    private static MemoryStream? _saveBuffer;

    /// <summary>
    /// The footers, then the bytes (with the font programs of earlier documents where they are the same, <see cref="FontPrograms"/>),
    /// PDFsharp's random values replaced by ones derived from <paramref name="seed"/>.
    /// </summary>
    public static byte[] Save(PdfDocument pdf, DocumentStyle style, DocumentLanguage language, string seed) =>
        Save(pdf, style, language, seed, static bytes => bytes.ToArray());

    /// <summary>
    /// As <see cref="Save(PdfDocument, DocumentStyle, DocumentLanguage, string)"/>, handing the bytes to <paramref name="use"/>
    /// where they were saved (this thread's buffer, valid until <paramref name="use"/> returns) instead of copying them into an
    /// array of their own: a render that writes a file from them allocates no second copy of every document.
    /// </summary>
    public static T Save<T>(PdfDocument pdf, DocumentStyle style, DocumentLanguage language, string seed, PdfBytes<T> use)
    {
        Footers(pdf, style, language);
        var bytes = _saveBuffer ??= new MemoryStream();
        bytes.SetLength(0);
        style.FontPrograms.Give(pdf);
        pdf.Save(bytes, false);
        var saved = bytes.GetBuffer().AsSpan(0, checked((int)bytes.Length));
        DeterministicPdf.Fix(saved, seed);
        return use(saved);
    }

    /// <summary>
    /// The operator's logo, name and address on the left, <paramref name="title"/> and <paramref name="number"/>
    /// on the right; returns where the content below it starts.
    /// </summary>
    public static double Letterhead(PageFlow f, InvoiceTemplate template, DocumentStyle s, string title, string number)
    {
        var top = f.Y;
        var textX = PageFlow.Left;
        if (s.EncodedLogo is { } encoded)
        {
            encoded.Draw(f.G.PdfPage!, f.Shapes, PageFlow.Left, top, 44, 44);
            textX += 52;
        }
        else if (s.Logo is { } logo)
        {
            f.G.DrawImage(logo, PageFlow.Left, top, 44, 44);
            textX += 52;
        }

        f.Text(template.Value("operator"), s.Large, s.Primary, textX, top + 2, 260);
        var y = top + 17;
        foreach (var line in template.AddressLines)
        {
            f.Text(line, s.Body, s.TextBrush, textX, y, 260);
            y += 10;
        }

        f.Text(title, s.Title, s.Primary, PageFlow.Left, top, PageFlow.Width, right: true);
        f.Text(number, s.Large, s.TextBrush, PageFlow.Left, top + 26, PageFlow.Width, right: true);
        return Math.Max(y, top + 48) + 14;
    }

    /// <summary>
    /// The small header of every page after the first: the operator in the left half, what the document is and whose
    /// (<paramref name="document"/>) right-aligned in the right half, cut with an ellipsis rather than drawn over the operator.
    /// </summary>
    public static void ContinuationHeader(PageFlow f, InvoiceTemplate template, DocumentStyle s, string document)
    {
        const double half = PageFlow.Width / 2;
        f.Text(template.Value("operator"), s.Bold, s.Primary, PageFlow.Left, f.Y, half);
        f.Text(f.Fit(document, s.Body, half), s.Body, s.TextBrush, PageFlow.Left + half, f.Y, half, right: true);
        f.Y += 12;
        f.Rule(s.RulePen, f.Y);
        f.Y += 6;
    }

    private const double AddresseeWidth = 260;

    /// <summary>The customer's name and address lines under <paramref name="label"/> at the left; returns the y below them.</summary>
    public static double Addressee(PageFlow f, DocumentStyle s, string label, string name, IEnumerable<string> addressLines, double top)
    {
        // Wrapped, not cut or drawn on over the facts at x = 330: a company's name and street can be long.
        f.Text(label, s.Small, s.Muted, PageFlow.Left, top, 250);
        var y = Paragraph(f, s, name, PageFlow.Left, top + 10, AddresseeWidth, s.Large, 14) + 2;
        foreach (var line in addressLines)
        {
            y = Paragraph(f, s, line, PageFlow.Left, y, AddresseeWidth, s.Body, 10);
        }

        return y;
    }

    /// <summary>Label and value pairs right of the addressee; returns the y below them.</summary>
    public static double Facts(PageFlow f, DocumentStyle s, IEnumerable<(string Label, string Value)> facts, double top)
    {
        var y = top;
        foreach (var (label, value) in facts)
        {
            f.Text(label, s.Body, s.Muted, 330, y, 100);
            f.Text(value, s.Bold, s.TextBrush, 330, y, PageFlow.Left + PageFlow.Width - 330, right: true);
            y += 11;
        }

        return y;
    }

    /// <summary>
    /// <paramref name="text"/> wrapped at word boundaries to <paramref name="width"/>, a line every <paramref name="lineHeight"/>
    /// points (default: the font's height and one); returns the y below its last line.
    /// </summary>
    public static double Paragraph(PageFlow f, DocumentStyle s, string text, double x, double y, double width, XFont font, double? lineHeight = null) =>
        Draw(f, s, Lines(f, text, width, font), x, y, width, font, lineHeight);

    /// <summary>Lines already wrapped (<see cref="Lines"/>) drawn from <paramref name="y"/> down; returns the y below the last.</summary>
    public static double Draw(PageFlow f, DocumentStyle s, IReadOnlyList<string> lines, double x, double y, double width, XFont font, double? lineHeight = null)
    {
        var step = lineHeight ?? font.Height + 1;
        foreach (var line in lines)
        {
            f.Text(line, font, s.TextBrush, x, y, width);
            y += step;
        }

        return y;
    }

    /// <summary>
    /// A paragraph across the page at <see cref="PageFlow.Y"/>: a line that does not fit above the footer goes on a new
    /// page (under its header), so a long text an operator wrote never runs into the footer; Y ends under the last line.
    /// </summary>
    public static void FlowParagraph(PageFlow f, DocumentStyle s, string text, XFont font, double? lineHeight = null)
    {
        var step = lineHeight ?? font.Height + 1;
        foreach (var line in Lines(f, text, PageFlow.Width, font))
        {
            f.Need(step);
            f.Text(line, font, s.TextBrush, PageFlow.Left, f.Y, PageFlow.Width);
            f.Y += step;
        }
    }

    /// <summary>The lines <paramref name="text"/> wraps into at <paramref name="width"/>, breaking between words.</summary>
    public static IReadOnlyList<string> Lines(PageFlow f, string text, double width, XFont font)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' '))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && f.WidthOf(candidate, font) > width)
            {
                lines.Add(line);
                line = word;
            }
            else
            {
                line = candidate;
            }
        }

        if (line.Length > 0)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>A language's text with the brand's values (operator, iban, bic …) and any others filled in.</summary>
    public static string BrandText(InvoiceTemplate template, DocumentLanguage language, string key, params (string Name, string Value)[] values) =>
        language.Text(key, [.. template.Brand.Select(b => (b.Key, b.Value)), ("address", string.Join(", ", template.AddressLines)), .. values]);

    private static void Footers(PdfDocument pdf, DocumentStyle style, DocumentLanguage language)
    {
        var (footer, contact) = style.FooterTexts(language);
        var pages = pdf.PageCount;
        for (var i = 0; i < pages; i++)
        {
            using var g = XGraphics.FromPdfPage(pdf.Pages[i], XGraphicsPdfPageOptions.Append);
            var y = PageFlow.FooterRule; // its rule is among the page's shapes (PageFlow.NewPage)
            g.DrawString(footer, style.Small, style.Muted, new XRect(PageFlow.Left, y + 4, PageFlow.Width, 9), XStringFormats.TopLeft);
            g.DrawString(contact, style.Small, style.Muted, new XRect(PageFlow.Left, y + 13, PageFlow.Width - 90, 9), XStringFormats.TopLeft);
            var page = language.Text("page", ("page", (i + 1).ToString(CultureInfo.InvariantCulture)), ("pages", pages.ToString(CultureInfo.InvariantCulture)));
            g.DrawString(page, style.Body, style.TextBrush, new XRect(PageFlow.Left, y + 13, PageFlow.Width, 10), XStringFormats.TopRight);
        }
    }
}
