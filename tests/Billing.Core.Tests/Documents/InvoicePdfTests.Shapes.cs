using Billing.Core.Documents;
using Billing.Documents;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Graphics;

namespace Billing.Core.Tests.Documents;

/// <summary>The page's shapes (<c>PageShapes</c>): where the text they frame is, in the brand's colours (templates/invoices/default/brand.txt).</summary>
public partial class InvoicePdfTests
{
    private static readonly (double R, double G, double B) Primary = Rgb(0x0B, 0x53, 0x94);
    private static readonly (double R, double G, double B) BandColour = Rgb(0xEE, 0xF3, 0xF9);
    private static readonly (double R, double G, double B) RuleColour = Rgb(0xC9, 0xCE, 0xD6);

    /// <summary>A renderer of the shipped brand made by the test itself: its colours are worked out by the code under test here, not once for the run.</summary>
    private static InvoiceRenderer Fresh() => new(Renderer.Template, Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));

    private static PdfRectangle Box(PdfPath p) => p.GetBoundingRectangle()!.Value;

    private static bool Holds(PdfRectangle outer, PdfRectangle inner) =>
        outer.Left <= inner.Left && inner.Right <= outer.Right && outer.Bottom <= inner.Bottom && inner.Top <= outer.Top;

    private static List<PdfPath> Filled(Page page, (double R, double G, double B) colour) =>
        [.. page.Paths.Where(p => p.IsFilled && p.FillColor is { } c && Round(c.ToRGBValues()) == colour)];

    private static List<PdfPath> Ruled(Page page, (double R, double G, double B) colour, double width) =>
        [.. page.Paths.Where(p => p.IsStroked && p.StrokeColor is { } c && Round(c.ToRGBValues()) == colour && Math.Abs(p.LineWidth - width) < 0.001
            && Math.Abs(Box(p).Left - 42) < 0.01 && Math.Abs(Box(p).Right - 553.28) < 0.01)];

    [Fact]
    public void The_summary_box_is_a_band_under_its_rows_headed_in_the_primary_colour_behind_its_title()
    {
        using var pdf = PdfDocument.Open(Fresh().Render(SampleDocuments.Invoice()));
        var page = pdf.GetPage(1);
        var words = page.GetWords().ToList();
        var title = words.Single(w => w.Text == "Summary").BoundingBox;
        var head = Assert.Single(Filled(page, Primary), p => Holds(Box(p), title));
        Assert.Equal((300, 253.28, 16), (Box(head).Left, Math.Round(Box(head).Width, 2), Math.Round(Box(head).Height, 2)));

        // The band behind the box: as wide, the same top, eight rows of 13 points and 24 more high, holding every row.
        var band = Assert.Single(Filled(page, BandColour), p => Math.Abs(Box(p).Left - 300) < 0.01);
        Assert.Equal((253.28, 128.0, Box(head).Top), (Math.Round(Box(band).Width, 2), Math.Round(Box(band).Height, 2), Box(band).Top));
        foreach (var label in new[] { "Previous", "Payments", "Current", "Total", "Amount", "Payment" })
        {
            Assert.Contains(words, w => w.Text == label && Holds(Box(band), w.BoundingBox));
        }
    }

    [Fact]
    public void Every_table_header_is_on_a_band_across_the_page_and_every_subtotal_under_a_thin_rule_and_every_heading_over_a_thick_one()
    {
        using var pdf = PdfDocument.Open(Fresh().Render(SampleDocuments.Invoice()));
        var page = pdf.GetPage(1);
        var words = page.GetWords().ToList();

        var headers = words.Where(w => w.Text == "Description").ToList();
        Assert.NotEmpty(headers);
        var bands = Filled(page, BandColour).Where(p => Math.Abs(Box(p).Left - 42) < 0.01 && Math.Abs(Box(p).Width - 511.28) < 0.01 && Math.Abs(Box(p).Height - 11.5) < 0.01).ToList();
        Assert.All(headers, h => Assert.Contains(bands, b => Holds(Box(b), h.BoundingBox)));

        // A subtotal's rule: 0.5 pt in the rule colour across the page, at the top of its row (above its text, within 4 points).
        var subtotals = words.Where(w => w.Text == "Subtotal").ToList();
        Assert.NotEmpty(subtotals);
        var thin = Ruled(page, RuleColour, 0.5);
        Assert.All(subtotals, s => Assert.Contains(thin, r => Box(r).Bottom - s.BoundingBox.Top is > 0 and < 4));

        // A heading's rule: 1 pt in the primary colour across the page, under the heading (within 8 points of its baseline).
        var charges = words.Single(w => w.Text == "Charges");
        Assert.Contains(Ruled(page, Primary, 1), r => charges.BoundingBox.Bottom - Box(r).Top is > 0 and < 8);
    }

    [Fact]
    public void Each_service_in_the_charts_legend_has_its_key_in_its_colour_just_left_of_its_name()
    {
        using var pdf = PdfDocument.Open(Fresh().Render(SampleDocuments.Invoice()));
        var page = pdf.GetPage(1);
        var words = page.GetWords().ToList();
        foreach (var (name, colour) in new[] { ("Calls", Rgb(0x0B, 0x53, 0x94)), ("SMS", Rgb(0xE6, 0x91, 0x38)), ("Data", Rgb(0x6A, 0xA8, 0x4F)) })
        {
            var key = Assert.Single(Filled(page, colour), p => Math.Abs(Box(p).Width - 8) < 0.01 && Math.Abs(Box(p).Height - 6) < 0.01);
            Assert.Contains(words, w => w.Text == name && Math.Abs(w.BoundingBox.Left - (Box(key).Right + 3)) < 1
                && w.BoundingBox.Bottom < Box(key).Top && Box(key).Bottom < w.BoundingBox.Top);
        }
    }

    [Fact]
    public void Every_pages_graphics_states_are_saved_and_restored_in_pairs()
    {
        using var pdf = PdfDocument.Open(Fresh().Render(SampleDocuments.Invoice()));
        foreach (var page in pdf.GetPages())
        {
            var ops = page.Operations.Select(o => o.Operator).ToList();
            var depth = 0;
            foreach (var op in ops)
            {
                depth += op switch { "q" => 1, "Q" => -1, _ => 0 };
                Assert.True(depth >= 0, $"page {page.Number}: a Q without its q");
            }

            Assert.Equal(0, depth);
            Assert.Equal("q", ops[0]); // the shapes' stream opens the page in a state of its own
        }
    }
}
