using System.Globalization;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Billing.Documents;

/// <summary>A fill or stroke colour as its PDF operator, written once per brand (<see cref="DocumentStyle"/>).</summary>
internal sealed record ShapeColour(string Fill, string Stroke)
{
    public static ShapeColour Of(XColor c)
    {
        // As PDFsharp writes a colour: each component over 255, to three decimals.
        var rgb = string.Create(CultureInfo.InvariantCulture, $"{c.R / 255.0:0.###} {c.G / 255.0:0.###} {c.B / 255.0:0.###}");
        return new ShapeColour($"{rgb} rg\n", $"{rgb} RG\n");
    }
}

/// <summary>A line's colour and width, as PDFsharp's <see cref="XPen"/> pairs them.</summary>
internal sealed record ShapePen(ShapeColour Colour, double Width);

/// <summary>
/// A page's shapes — table bands, rules, the summary box, the chart's grid, bars and legend keys, the logo — written as PDF
/// operators into one content stream put first on the page, under everything PDFsharp draws there (the text). Written
/// here instead of through PDFsharp's <c>DrawRectangle</c>/<c>DrawLine</c>, which format every coordinate and colour far
/// slower and end and restart the text object around each shape. Coordinates are taken as PDFsharp takes them (points
/// from the page's top left) and written in PDF space (from its bottom left), to a ten-thousandth of a point.
/// Nothing drawn here may go over text: every shape is a background or a line between rows.
/// </summary>
internal sealed class PageShapes(PdfPage page)
{
    private readonly StringBuilder _ops = new StringBuilder(2048).Append("q\n");
    private readonly double _height = page.Height.Point;
    private string? _fill;
    private string? _stroke;
    private double _lineWidth = 1; // PDF's initial line width
    private bool _finished;

    /// <summary>The page's height in points: PDF space's y of the page's top.</summary>
    public double PageHeight => _height;

    /// <summary>A filled rectangle whose top left is (<paramref name="x"/>, <paramref name="top"/>) from the page's top left.</summary>
    public void Fill(ShapeColour colour, double x, double top, double width, double height)
    {
        Colour(colour);
        Number(x).Append(' ');
        Number(_height - top - height).Append(' ');
        Number(width).Append(' ');
        Number(height).Append(" re f\n");
    }

    /// <summary>A filled rectangle in PDF space, its sizes in decimal (<see cref="UsageChart"/>'s bars, stacked in decimal).</summary>
    public void FillPdf(ShapeColour colour, decimal x, decimal bottom, decimal width, decimal height)
    {
        Colour(colour);
        PdfNumber.Append(_ops, x).Append(' ');
        PdfNumber.Append(_ops, bottom).Append(' ');
        PdfNumber.Append(_ops, width).Append(' ');
        PdfNumber.Append(_ops, height).Append(" re f\n");
    }

    /// <summary>A horizontal line from <paramref name="x1"/> to <paramref name="x2"/> at <paramref name="y"/> from the page's top.</summary>
    public void Rule(ShapePen pen, double x1, double y, double x2)
    {
        if (_stroke != pen.Colour.Stroke)
        {
            _ops.Append(pen.Colour.Stroke);
            _stroke = pen.Colour.Stroke;
        }

        if (_lineWidth != pen.Width)
        {
            Number(pen.Width).Append(" w\n");
            _lineWidth = pen.Width;
        }

        var at = _height - y;
        Number(x1).Append(' ');
        Number(at).Append(" m ");
        Number(x2).Append(' ');
        Number(at).Append(" l S\n");
    }

    /// <summary>Operators written as they are (the logo's placement), in their own saved graphics state.</summary>
    public void Raw(string operators) => _ops.Append(operators);

    /// <summary>Puts the shapes first among the page's contents, once; nothing is drawn into it after.</summary>
    public void Finish()
    {
        if (!_finished && _ops.Length > 2)
        {
            page.Contents.PrependContent().CreateStream(Encoding.ASCII.GetBytes(_ops.Append("Q\n").ToString()));
        }

        _finished = true;
    }

    private void Colour(ShapeColour colour)
    {
        if (_fill != colour.Fill)
        {
            _ops.Append(colour.Fill);
            _fill = colour.Fill;
        }
    }

    private StringBuilder Number(double value) => PdfNumber.Append(_ops, value);
}
