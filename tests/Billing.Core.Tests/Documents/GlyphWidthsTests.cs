using Billing.Documents;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Billing.Core.Tests.Documents;

public sealed class GlyphWidthsTests
{
    public static TheoryData<string> Texts() =>
    [
        "WORLDWIDE ROAMING MMS WAP",
        "Zoë Müller, Łódź, São Paulo — ąćęłńóśźż ÇÃÕ",
        "1 234 610,63 zł",
        "-12,345,678.90 GBP",
        "Faktura · Rachunek 2026-11-01 – 2026-12-01 (zaległe)",
        "iiiiiiiiii MMMMMMMMMM",
        "",
    ];

    /// <summary>The sum of each character's advance is the width PDFsharp measures for the whole text, in every style and size the documents use.</summary>
    [Theory]
    [MemberData(nameof(Texts))]
    public void A_texts_width_from_its_characters_is_the_width_PDFsharp_measures_for_it(string text)
    {
        _ = SampleDocuments.Renderer; // installs the shipped fonts
        using var pdf = new PdfDocument();
        using var g = XGraphics.FromPdfPage(pdf.AddPage());
        foreach (var style in new[] { XFontStyleEx.Regular, XFontStyleEx.Bold, XFontStyleEx.Italic, XFontStyleEx.BoldItalic })
        {
            foreach (var size in new[] { 6.5, 8, 9.5, 20 })
            {
                var font = new XFont(DocumentFonts.Family, size, style);
                var measured = g.MeasureString(text, font).Width;
                Assert.True(Math.Abs(GlyphWidths.Of(g, text, font)!.Value - measured) <= 0.001 + (measured * 1e-6),
                    $"{style} {size}: {GlyphWidths.Of(g, text, font)} vs {measured}");
            }
        }
    }

    [Fact]
    public void A_text_with_a_character_outside_the_basic_plane_is_left_to_PDFsharp_to_measure()
    {
        _ = SampleDocuments.Renderer;
        using var pdf = new PdfDocument();
        using var g = XGraphics.FromPdfPage(pdf.AddPage());
        Assert.Null(GlyphWidths.Of(g, "Call 😀", new XFont(DocumentFonts.Family, 8)));
    }
}
