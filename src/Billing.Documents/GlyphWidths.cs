using System.Collections.Concurrent;
using PdfSharp.Drawing;

namespace Billing.Documents;

/// <summary>
/// How wide a text is drawn, from each character's advance: a character is measured once per font style (PDFsharp's
/// <see cref="XGraphics.MeasureString(string, XFont)"/> at 1,000 points), then a text's width is the sum of its characters'
/// at the font's size — what PDFsharp itself adds up, without its per-call work. A document measures most of its table
/// cells, so measuring every one through PDFsharp cost about a fifth of the rendering.
/// </summary>
public static class GlyphWidths
{
    private const double UnitSize = 1000;

    private static readonly ConcurrentDictionary<XFontStyleEx, (XFont Unit, float[] Ems)> PerStyle = new();

    /// <summary>The text's width in <paramref name="font"/>; null when it holds a surrogate pair (measure it whole).</summary>
    public static double? Of(XGraphics g, string text, XFont font)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(font);
        var (unit, ems) = PerStyle.GetOrAdd(font.Style, style => (new XFont(DocumentFonts.Family, UnitSize, style), NotMeasured()));
        double sum = 0;
        foreach (var c in text)
        {
            if (char.IsSurrogate(c))
            {
                return null;
            }

            var em = ems[c];
            if (em < 0)
            {
                // Threads may measure the same character at once: they write the same value.
                em = ems[c] = (float)(g.MeasureString(c.ToString(), unit).Width / UnitSize);
            }

            sum += em;
        }

        return sum * font.Size;
    }

    private static float[] NotMeasured()
    {
        var ems = new float[char.MaxValue + 1];
        Array.Fill(ems, -1f);
        return ems;
    }
}
