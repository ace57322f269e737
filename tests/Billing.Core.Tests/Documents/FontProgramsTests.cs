using Billing.Documents;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using UglyToad.PdfPig;
using PdfDocument = UglyToad.PdfPig.PdfDocument;

namespace Billing.Core.Tests.Documents;

/// <summary>
/// A renderer gives a document the font programs of documents it saved before when the glyphs are the same
/// (<see cref="FontPrograms"/>): each program must be the one PDFsharp makes for those glyphs (for a padded face, those and
/// the padding's, compressed harder), and a document's bytes the
/// same whatever was rendered before.
/// Each test has its own renderer, so its programs start empty.
/// </summary>
public sealed class FontProgramsTests
{
    private static InvoiceRenderer NewRenderer() => new(
        InvoiceTemplate.Load(Path.Combine(RepositoryRoot.Find(), "templates", "invoices", "default")),
        Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));

    [Fact]
    public void The_pinned_PDFsharp_has_what_the_programs_are_given_through()
    {
        Assert.True(FontPrograms.Supported);
    }

    [Fact]
    public void A_document_given_kept_programs_is_byte_for_byte_the_one_made_when_none_was_kept()
    {
        var renderer = NewRenderer();
        var programs = renderer.Style.FontPrograms;
        var invoice = SampleDocuments.Invoice();

        var made = renderer.Render(invoice);
        var faces = programs.Made; // the regular, bold and italic faces, made by PDFsharp
        Assert.Equal((0L, 3L), (programs.Reused, faces));

        var given = renderer.Render(invoice);
        Assert.Equal((faces, faces), (programs.Reused, programs.Made)); // each given from the first document
        Assert.Equal(made, given);
    }

    [Fact]
    public void Other_glyphs_get_a_program_of_their_own_and_each_document_the_bytes_a_fresh_renderer_gives_it()
    {
        var ascii = SampleDocuments.Invoice(name: "John Smith") with { Number = "INV-2026-000051" };
        var polish = SampleDocuments.Invoice(name: "Łucja Żółtowska-Ćwik", address: ["ul. Źródlana 5", "90-001 Łódź"]) with { Number = "INV-2026-000052" };
        var renderer = NewRenderer();
        var programs = renderer.Style.FontPrograms;

        var first = renderer.Render(ascii);
        var faces = programs.Made;
        var second = renderer.Render(polish);

        Assert.True(programs.Made > faces, "the Polish letters are glyphs the first invoice's programs do not hold");
        Assert.Equal(first, NewRenderer().Render(ascii));
        Assert.Equal(second, NewRenderer().Render(polish));
        Assert.Equal(2 * faces, programs.Reused + programs.Made); // the same faces in both
        using var pdf = PdfDocument.Open(second);
        Assert.Contains("Łucja Żółtowska-Ćwik", pdf.GetPage(1).Text, StringComparison.Ordinal);
        Assert.Contains("90-001 Łódź", pdf.GetPage(1).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoices_of_many_names_on_four_threads_are_the_bytes_each_gets_from_a_fresh_renderer()
    {
        string[] names = ["Zoë Müller", "João São Paulo", "Łucja Żółtowska", "John Smith", "Zoë Müller", "ANNA NOWAK", "John Smith", "Éva Öztürk"];
        var invoices = names.Select((n, i) => SampleDocuments.Invoice(annex: 10 + i, name: n) with { Number = $"INV-2026-{100 + i:000000}" }).ToList();
        var alone = invoices.Select(i => NewRenderer().Render(i)).ToList();

        var renderer = NewRenderer();
        var together = new byte[invoices.Count * 3][];
        Parallel.For(0, together.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => together[i] = renderer.Render(invoices[i % invoices.Count]));

        for (var i = 0; i < together.Length; i++)
        {
            Assert.Equal(alone[i % invoices.Count], together[i]);
        }

        Assert.True(renderer.Style.FontPrograms.Reused > renderer.Style.FontPrograms.Made);
    }

    [Fact]
    public void A_kept_program_is_byte_for_byte_the_one_PDFsharp_saving_alone_embeds()
    {
        DocumentFonts.Install(Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        var programs = new FontPrograms();

        var alone = Program(Save(null, "Zoë Müller, Łódź"));
        var made = Program(Save(programs, "Zoë Müller, Łódź"));
        var given = Program(Save(programs, "Zoë Müller, Łódź"));

        Assert.Equal((1L, 1L), (programs.Made, programs.Reused));
        Assert.Equal(alone, made);
        Assert.Equal(alone, given);
        Assert.NotEqual(alone, Program(Save(null, "Zoe Muller, Lodz"))); // another glyph set, another program
    }

    [Fact]
    public void Invoices_whose_names_differ_only_in_ascii_letters_share_each_faces_program_and_other_letters_get_their_own()
    {
        var renderer = NewRenderer();
        var programs = renderer.Style.FontPrograms;
        var first = SampleDocuments.Invoice(name: "John Smith") with { Number = "INV-2026-000061" };
        // Capitals and letters the first invoice's text has nowhere: without the padding these are glyphs of their own.
        var second = SampleDocuments.Invoice(name: "QUENTIN XAVIER-VOGEL, Jaqx") with { Number = "INV-2026-000062" };
        var third = SampleDocuments.Invoice(name: "Zoë Müller") with { Number = "INV-2026-000063" };

        renderer.Render(first);
        var faces = programs.Made;
        Assert.Equal(0L, programs.Reused);

        var bytes = renderer.Render(second);
        Assert.Equal((faces, faces), (programs.Reused, programs.Made)); // every face given the first invoice's program
        Assert.Equal(bytes, NewRenderer().Render(second));
        using (var pdf = PdfDocument.Open(bytes))
        {
            Assert.Contains("QUENTIN XAVIER-VOGEL, Jaqx", pdf.GetPage(1).Text, StringComparison.Ordinal);
        }

        renderer.Render(third);
        Assert.True(programs.Made > faces, "ë and ü lie beyond the padding: the faces that draw the name get programs of their own");
    }

    [Theory]
    [InlineData("abc 123", "Zoë", "Zo ë 3")] // ë lies beyond the padding: a program for the padding and ë
    [InlineData(null, "Invoice INV-2026-000042", "Total GBP 1,234.56")] // within the printable ASCII: the face's base program
    public void A_padded_program_holds_the_glyphs_PDFsharp_embeds_for_the_text_and_the_padding_compressed_harder_and_serves_other_text_of_those_glyphs(string? padding, string text, string other)
    {
        DocumentFonts.Install(Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        padding ??= FontPrograms.PrintableAscii;
        var programs = new FontPrograms();
        programs.Pad([new XFont(DocumentFonts.Family, 10)], padding);

        var padded = Program(Save(programs, text));
        var alone = Program(Save(null, text + padding)); // PDFsharp drawing the text and the padding, at the documents' level

        Assert.Equal(Inflate(alone), Inflate(padded));
        Assert.True(padded.Length < alone.Length, $"zlib's best level: {padded.Length:N0} characters against PDFsharp's {alone.Length:N0} at the documents' level");
        Assert.NotEqual(Inflate(Program(Save(null, text))), Inflate(padded));
        Assert.Equal((0L, 1L), (programs.Reused, programs.Made));
        Assert.Equal(padded, Program(Save(programs, other))); // other text of the same glyphs and the padding's: the same bytes
        Assert.Equal((1L, 1L), (programs.Reused, programs.Made));
    }

    [Fact]
    public void A_program_kept_before_its_face_was_padded_is_not_given_after_even_for_the_same_glyphs()
    {
        DocumentFonts.Install(Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        var programs = new FontPrograms();
        var unpadded = Program(Save(programs, "abc"));

        programs.Pad([new XFont(DocumentFonts.Family, 10)], "cab");
        var padded = Program(Save(programs, "abc")); // the same glyphs, now the face's base program: compressed harder

        Assert.Equal((0L, 2L), (programs.Reused, programs.Made));
        Assert.Equal(Inflate(unpadded), Inflate(padded));
        Assert.NotEqual(unpadded, padded);
        Assert.Equal(padded, Program(Save(programs, "bca"))); // other text within the padding: given the padded program
        Assert.Equal((1L, 2L), (programs.Reused, programs.Made));
    }

    [Fact]
    public void The_printable_ascii_padding_is_space_to_tilde_and_a_padding_needs_fonts_and_characters()
    {
        Assert.Equal(string.Concat(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c)), FontPrograms.PrintableAscii);
        Assert.Equal(95, FontPrograms.PrintableAscii.Length);
        var programs = new FontPrograms();
        Assert.Throws<ArgumentNullException>(() => programs.Pad(null!, "abc"));
        DocumentFonts.Install(Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        Assert.Throws<ArgumentNullException>(() => programs.Pad([new XFont(DocumentFonts.Family, 10)], null!));
    }

    [Fact]
    public void Only_the_padded_faces_are_padded()
    {
        DocumentFonts.Install(Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        var programs = new FontPrograms();
        programs.Pad([new XFont(DocumentFonts.Family, 10, XFontStyleEx.Bold)], FontPrograms.PrintableAscii);

        Assert.Equal(Program(Save(null, "Zoë")), Program(Save(programs, "Zoë"))); // the regular face: as PDFsharp alone, to the byte
        Assert.Equal(Inflate(Program(Save(null, "Zoë" + FontPrograms.PrintableAscii, XFontStyleEx.Bold))), Inflate(Program(Save(programs, "Zoë", XFontStyleEx.Bold))));
    }

    /// <summary>A program's font file, inflated: what it holds whatever level it was compressed at.</summary>
    private static byte[] Inflate(string program)
    {
        var stream = program.IndexOf(">>\nstream\n", StringComparison.Ordinal) + ">>\nstream\n".Length;
        using var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(System.Text.Encoding.Latin1.GetBytes(program[stream..])), System.IO.Compression.CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        zlib.CopyTo(inflated);
        return inflated.ToArray();
    }

    /// <summary>The dictionary and the compressed bytes of the one font program in <paramref name="pdf"/>.</summary>
    private static string Program(byte[] pdf)
    {
        var text = System.Text.Encoding.Latin1.GetString(pdf);
        var at = text.IndexOf("<</Length1 ", StringComparison.Ordinal);
        Assert.Equal(-1, text.IndexOf("<</Length1 ", at + 1, StringComparison.Ordinal));
        var length = System.Text.RegularExpressions.Regex.Match(text[at..], @"^<</Length1 \d+/Filter/FlateDecode/Length (\d+)>>\nstream\n");
        Assert.True(length.Success);
        return text.Substring(at, length.Length + int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void When_the_capacity_is_reached_the_kept_programs_are_dropped_and_collected_anew()
    {
        DocumentFonts.Install(Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        var programs = new FontPrograms(capacity: 2);

        foreach (var text in new[] { "aaa", "bbb", "aaa", "ccc" })
        {
            Save(programs, text);
        }

        // aaa made, bbb made, aaa given, ccc made after the two were dropped
        Assert.Equal((1L, 3L, 1), (programs.Reused, programs.Made, programs.Count));
        Save(programs, "aaa");
        Assert.Equal((1L, 4L, 2), (programs.Reused, programs.Made, programs.Count));
    }

    [Fact]
    public void The_same_glyphs_drawn_in_another_order_get_the_kept_program()
    {
        DocumentFonts.Install(Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        var programs = new FontPrograms();

        Save(programs, "abc 123");
        var given = Program(Save(programs, "321 cba"));

        Assert.Equal((1L, 1L), (programs.Made, programs.Reused));
        Assert.Equal(Program(Save(null, "321 cba")), given);
    }

    [Fact]
    public void Each_face_and_each_encoding_of_the_same_glyphs_has_its_own_program_the_one_PDFsharp_embeds()
    {
        DocumentFonts.Install(Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        var programs = new FontPrograms();
        var unicode = new XPdfFontOptions(PdfFontEncoding.Unicode);
        var ansi = new XPdfFontOptions(PdfFontEncoding.WinAnsi);

        foreach (var (style, options) in new[] { (XFontStyleEx.Regular, unicode), (XFontStyleEx.Bold, unicode), (XFontStyleEx.Regular, ansi), (XFontStyleEx.Bold, ansi) })
        {
            var made = programs.Made;
            var kept = Program(Save(programs, "Invoice 2026", style, options));
            Assert.Equal(made + 1, programs.Made); // not given another face's or encoding's
            Assert.Equal(Program(Save(null, "Invoice 2026", style, options)), kept);
        }
    }

    [Fact]
    public void A_given_program_is_the_one_saved_PDFsharp_makes_none_of_its_own()
    {
        DocumentFonts.Install(Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        var programs = new FontPrograms();
        Save(programs, "Zoë");

        foreach (var keep in new[] { true, false })
        {
            using var pdf = Draw("Zoë", XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));
            (keep ? programs : new FontPrograms()).Give(pdf);
            var descriptor = Assert.Single(pdf.Internals.GetAllObjects().OfType<PdfFontDescriptor>());
            var given = descriptor.Elements.GetReference(PdfFontDescriptor.Keys.FontFile2)?.Value;
            Assert.NotNull(given);

            pdf.Save(new MemoryStream(), false);

            Assert.Same(given, descriptor.Elements.GetReference(PdfFontDescriptor.Keys.FontFile2)?.Value);
        }
    }

    [Fact]
    public void A_capacity_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FontPrograms(capacity: 0));
    }

    /// <summary>One line of <paramref name="text"/>, saved with <paramref name="programs"/> (null: as PDFsharp alone saves it).</summary>
    private static byte[] Save(FontPrograms? programs, string text, XFontStyleEx style = XFontStyleEx.Regular, XPdfFontOptions? options = null)
    {
        using var pdf = Draw(text, style, options ?? new XPdfFontOptions(PdfFontEncoding.Unicode));
        programs?.Give(pdf);
        using var bytes = new MemoryStream();
        pdf.Save(bytes, false);
        return bytes.ToArray();
    }

    private static PdfSharp.Pdf.PdfDocument Draw(string text, XFontStyleEx style, XPdfFontOptions options)
    {
        var pdf = new PdfSharp.Pdf.PdfDocument();
        DocumentSettings.Apply(pdf);
        using var g = XGraphics.FromPdfPage(pdf.AddPage());
        g.DrawString(text, new XFont(DocumentFonts.Family, 10, style, options), XBrushes.Black, 40, 40);
        return pdf;
    }
}
