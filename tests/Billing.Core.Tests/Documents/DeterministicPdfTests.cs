using System.Text;
using Billing.Documents;

namespace Billing.Core.Tests.Documents;

public class DeterministicPdfTests
{
    /// <summary>A compressed stream's body (18 bytes) that happens to hold bytes reading like a font tag.</summary>
    private const string Compressed = "1 0 obj\n<</Length 18/Filter/FlateDecode>>\nstream\n/BaseFont/QWERTY+X\nendstream\nendobj\n";

    private const string Font = "2 0 obj\n<</Type/Font/BaseFont/ABCDEF+DejaVu#20Sans>>\nendobj\n";

    /// <summary>An uncompressed stream (the XMP metadata) and one whose length is an indirect object: both are searched.</summary>
    private const string Metadata = "3 0 obj\n<</Type/Metadata/Subtype/XML/Length 49>>\nstream\n<x>uuid:01234567-89ab-cdef-0123-456789abcdef</x>\n\nendstream\nendobj\n";

    private const string Indirect = "4 0 obj\n<</Length 5 0 R/Filter/FlateDecode>>\nstream\n/FontName/ZYXWVU+Y\nendstream\nendobj\n";

    private static string Fixed(string pdf)
    {
        var bytes = Encoding.Latin1.GetBytes(pdf);
        DeterministicPdf.Fix(bytes, "invoice:INV-1");
        return Encoding.Latin1.GetString(bytes);
    }

    [Fact]
    public void A_compressed_streams_body_is_left_as_it_is_and_the_tags_outside_it_are_fixed()
    {
        var pdf = Fixed(Compressed + Font);

        Assert.StartsWith(Compressed, pdf, StringComparison.Ordinal);
        Assert.DoesNotContain("ABCDEF+", pdf, StringComparison.Ordinal);
        Assert.Matches("/BaseFont/[A-Z]{6}\\+DejaVu#20Sans>>", pdf[Compressed.Length..]);
        Assert.Equal(Encoding.Latin1.GetByteCount(Compressed + Font), Encoding.Latin1.GetByteCount(pdf));
    }

    [Fact]
    public void An_uncompressed_stream_and_one_whose_length_is_not_written_in_its_dictionary_are_searched()
    {
        var pdf = Fixed(Metadata + Indirect);

        Assert.DoesNotContain("uuid:01234567-89ab-cdef-0123-456789abcdef", pdf, StringComparison.Ordinal);
        Assert.Matches("uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}</x>", pdf);
        Assert.DoesNotContain("ZYXWVU+", pdf, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_tag_gets_the_same_fixed_tag_and_the_same_seed_the_same_bytes()
    {
        var twice = Font + Font.Replace("2 0 obj", "6 0 obj", StringComparison.Ordinal);

        var pdf = Fixed(twice);

        var tags = System.Text.RegularExpressions.Regex.Matches(pdf, "/BaseFont/([A-Z]{6})\\+").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, tags.Length);
        Assert.Equal(tags[0], tags[1]);
        Assert.NotEqual("ABCDEF", tags[0]);
        Assert.Equal(pdf, Fixed(twice));
    }

    [Fact]
    public void A_stream_whose_written_length_runs_past_the_end_of_the_file_is_searched_not_skipped()
    {
        // Its /Length (100) is more than the 23 bytes left after the keyword: not a body to leave out.
        var cut = "1 0 obj\n<</Length 100/Filter/FlateDecode>>\nstream\n/BaseFont/ABCDEF+DejaVu";

        Assert.DoesNotContain("ABCDEF+", Fixed(cut), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_documents_get_different_uuids_and_tags_and_the_two_uuids_of_one_file_differ()
    {
        var pdf = Metadata.Replace("</x>", "</x><y>uuid:01234567-89ab-cdef-0123-456789abcdef</y>", StringComparison.Ordinal)
            .Replace("Length 49", "Length 96", StringComparison.Ordinal) + Font;
        string[] Values(string seed)
        {
            var bytes = Encoding.Latin1.GetBytes(pdf);
            DeterministicPdf.Fix(bytes, seed);
            return [.. System.Text.RegularExpressions.Regex.Matches(Encoding.Latin1.GetString(bytes), "uuid:([0-9a-f-]{36})|/BaseFont/([A-Z]{6})\\+").Select(m => m.Value)];
        }

        var one = Values("invoice:INV-1");
        var two = Values("invoice:INV-2");

        Assert.Equal(3, one.Length);
        Assert.NotEqual(one[0], one[1]);
        Assert.All(one.Zip(two), p => Assert.NotEqual(p.First, p.Second));
    }

    [Fact]
    public void The_regions_of_a_rendered_invoice_leave_out_exactly_its_compressed_streams_bodies()
    {
        var bytes = SampleDocuments.Renderer.Render(SampleDocuments.Invoice());
        var text = Encoding.Latin1.GetString(bytes);
        // Each compressed stream's body, found independently: "/Length N" in a dictionary with a /Filter, before "stream\n".
        var bodies = System.Text.RegularExpressions.Regex.Matches(text, "obj\n<<([^\n]*)>>\nstream\n")
            .Where(m => m.Groups[1].Value.Contains("/Filter", StringComparison.Ordinal))
            .Sum(m => int.Parse(System.Text.RegularExpressions.Regex.Match(m.Groups[1].Value, "/Length (\\d+)(?:/|$)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

        var regions = DeterministicPdf.Regions(bytes);

        Assert.True(bodies > bytes.Length / 2, $"{bodies} of {bytes.Length} bytes are compressed bodies");
        Assert.Equal(bytes.Length - bodies, regions.Sum(r => r.To - r.From));
        Assert.All(regions.Zip(regions.Skip(1)), p => Assert.True(p.First.To <= p.Second.From));
    }
}
