using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Billing.Documents;

/// <summary>A table column: its header, width in points and whether its text is right-aligned (amounts).</summary>
internal sealed record Column(string Header, double Width, bool Right = false);

/// <summary>How a table row is drawn: plain, a subtotal (bold, ruled), or marked (late usage, in italics).</summary>
internal enum RowStyle
{
    Plain,
    Subtotal,
    Marked,
}

/// <summary>
/// Content flowing down A4 pages: a cursor that starts a new page when the next block does not fit,
/// and tables whose header is drawn again at the top of every page they continue on.
/// </summary>
internal sealed class PageFlow(PdfDocument document, DocumentStyle style, Action<PageFlow> continuationHeader) : IDisposable
{
    public const double Left = 42;
    public const double Top = 40;
    public const double Width = 595.28 - 2 * Left;
    public const double Bottom = 841.89 - 56;
    public const double RowHeight = 10.5;

    public XGraphics G { get; private set; } = null!;

    /// <summary>The current page's shapes (bands, rules, bars), put under its text when the page is done.</summary>
    public PageShapes Shapes { get; private set; } = null!;

    public double Y { get; set; }

    public DocumentStyle Style { get; } = style;

    public void NewPage()
    {
        Finish();
        var page = document.AddPage();
        page.Size = PageSize.A4;
        G = XGraphics.FromPdfPage(page);
        Shapes = new PageShapes(page);
        // The footer's rule (its texts are drawn once the pages are counted, DocumentFrame.Save).
        Rule(Style.RulePen, FooterRule);
        Y = Top;
        if (document.PageCount > 1)
        {
            continuationHeader(this);
        }
    }

    /// <summary>Starts a new page unless <paramref name="height"/> points fit below the cursor; true if it did.</summary>
    public bool Need(double height)
    {
        if (Y + height <= Bottom)
        {
            return false;
        }

        NewPage();
        return true;
    }

    public void Text(string text, XFont font, XBrush brush, double x, double y, double width, bool right = false) =>
        G.DrawString(text, font, brush, new XRect(x, y, width, font.Height), right ? XStringFormats.TopRight : XStringFormats.TopLeft);

    /// <summary>A section title kept with the first <paramref name="keepWith"/> points of what follows.</summary>
    public void Heading(string title, double keepWith)
    {
        Need(22 + keepWith);
        Y += 8;
        Text(title, Style.Heading, Style.Primary, Left, Y, Width);
        Y += Style.Heading.Height + 3;
        Rule(Style.HeadingPen, Y);
        Y += 4;
    }

    /// <summary>Draws rows under a header; a row that does not fit goes to a new page, under the header drawn again.</summary>
    public void Table(IReadOnlyList<Column> columns, IEnumerable<(string[] Cells, RowStyle Style)> rows, string? caption = null)
    {
        Need(RowHeight * 3 + (caption is null ? 0 : RowHeight));
        var headers = columns.Select(c => c.Header).ToArray();
        Header(columns, headers, caption);
        foreach (var (cells, rowStyle) in rows)
        {
            if (Y + RowHeight > Bottom)
            {
                NewPage();
                Header(columns, headers, caption);
            }

            var font = rowStyle switch { RowStyle.Subtotal => Style.Bold, RowStyle.Marked => Style.Italic, _ => Style.Body };
            if (rowStyle == RowStyle.Subtotal)
            {
                Rule(Style.RulePen, Y);
            }

            Row(columns, cells, font, Style.TextBrush);
            Y += RowHeight;
        }

        Y += 4;
    }

    private void Header(IReadOnlyList<Column> columns, string[] headers, string? caption)
    {
        if (caption is not null)
        {
            Text(caption, Style.Bold, Style.TextBrush, Left, Y, Width);
            Y += RowHeight + 1;
        }

        Shapes.Fill(Style.Band, Left, Y - 1, Width, RowHeight + 1);
        Row(columns, headers, Style.Bold, Style.Primary);
        Y += RowHeight + 2;
    }

    private void Row(IReadOnlyList<Column> columns, string[] cells, XFont font, XBrush brush)
    {
        var x = Left;
        for (var i = 0; i < columns.Count; i++)
        {
            var c = columns[i];
            if (c.Right)
            {
                // A right-aligned column holds figures: one cut short would not read as stored, so it is drawn smaller instead.
                Text(cells[i], Shrunk(cells[i], font, c.Width - 4), brush, x, Y + 1, c.Width - 2, right: true);
            }
            else
            {
                Text(Fit(cells[i], font, c.Width - 4), font, brush, x + 2, Y + 1, c.Width - 2);
            }

            x += c.Width;
        }
    }

    /// <summary>The font, or a smaller size of it, in which the text is no wider than <paramref name="width"/>.</summary>
    private XFont Shrunk(string text, XFont font, double width)
    {
        var measured = WidthOf(text, font);
        return measured <= width ? font : new XFont(DocumentFonts.Family, Math.Floor(font.Size * width / measured * 100) / 100, font.Style);
    }

    /// <summary>How wide the text is drawn in the font (<see cref="GlyphWidths"/>: every cell is measured, so cheaply).</summary>
    public double WidthOf(string text, XFont font) => GlyphWidths.Of(G, text, font) ?? G.MeasureString(text, font).Width;

    /// <summary>The text, cut with an ellipsis when it is wider than the column.</summary>
    public string Fit(string text, XFont font, double width)
    {
        if (WidthOf(text, font) <= width)
        {
            return text;
        }

        var cut = text.Length;
        while (cut > 1 && WidthOf(string.Concat(text.AsSpan(0, cut), "…"), font) > width)
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), "…");
    }

    /// <summary>A rule across the page at <paramref name="y"/>.</summary>
    public void Rule(ShapePen pen, double y) => Shapes.Rule(pen, Left, y, Left + Width);

    /// <summary>Where the rule over every page's footer is.</summary>
    public const double FooterRule = Bottom + 14;

    /// <summary>Done with the current page: its drawing and its shapes.</summary>
    private void Finish()
    {
        G?.Dispose();
        Shapes?.Finish();
    }

    public void Dispose() => Finish();
}
