using System.Collections.Concurrent;
using System.Reflection;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace Billing.Documents;

/// <summary>
/// The embedded font programs (each face's subset of DejaVu Sans, with the glyphs a document's text uses) of documents
/// saved before, kept by face and glyphs. Saving a document, PDFsharp cuts each face's subset out of the whole font and
/// compresses it — about a third of what PDFsharp spends on an invoice — although most documents of a run use the same
/// glyphs (digits, the template's words, the same letters in names). Here each face's program is made before the save:
/// the one kept from an earlier document of the same face and glyphs, else the one PDFsharp's own code makes (what its
/// save would call), then kept. Either way it joins the document at the same point, so a document's bytes do not depend
/// on what was kept; for a face without a padding (below) they differ from PDFsharp's own save only in the order of
/// objects (the programs come before the fonts' widths, which the save adds).
/// <para>
/// PDFsharp 6.2.4 (the version pinned in Directory.Packages.props) has no public way to hand it a font program, so this
/// uses six of its non-public members: a font descriptor's <c>CMapInfo</c>, <c>AddCmapTable</c> and <c>_prepared</c>,
/// <c>CMapInfo.GlyphIndices</c>, and <c>PdfFontProgram</c>'s constructor and <c>CreateFontFileAndAddToDescriptor</c>.
/// If a later PDFsharp lacks any of them, <see cref="Supported"/> is false and documents are saved as PDFsharp alone
/// saves them; a test fails on that (FontProgramsTests).
/// </para>
/// <para>
/// Names differ in their letters, so a run's documents would otherwise differ in their glyph sets and share few programs:
/// each face can be given a padding (<see cref="Pad"/>) — glyphs every program of it holds, used or not, such as the
/// printable ASCII characters and the brand's own words — so that every document whose text lies within it carries the
/// same program. A padded face's programs are compressed at zlib's best level: they are few — made once a process for the
/// padding alone, and once for each set of letters beyond it — and each is written into many documents. A face without
/// a padding is compressed at the document's own level, as PDFsharp alone compresses it.
/// </para>
/// </summary>
internal sealed class FontPrograms
{
    /// <summary>At most this many programs are kept by default (each about 30 kB).</summary>
    public const int DefaultCapacity = 256;

    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    private static readonly PropertyInfo? CMapInfo = typeof(PdfFontDescriptor).GetProperty("CMapInfo", Private);
    private static readonly PropertyInfo? AddCmapTable = typeof(PdfFontDescriptor).GetProperty("AddCmapTable", Private);
    private static readonly FieldInfo? Prepared = typeof(PdfFontDescriptor).GetField("_prepared", Private);
    private static readonly ConstructorInfo? NewProgram = typeof(PdfFontProgram).GetConstructor(Private, [typeof(PdfDocument)]);
    private static readonly MethodInfo? CreateProgram = typeof(PdfFontProgram).GetMethod("CreateFontFileAndAddToDescriptor", Private);
    private static readonly FieldInfo? GlyphIndices = CMapInfo?.PropertyType.GetField("GlyphIndices", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

    /// <summary>Whether this PDFsharp has the members used here (it does: 6.2.4).</summary>
    public static bool Supported { get; } =
        CMapInfo is not null && NewProgram is not null && CreateProgram?.GetParameters().Length == 3 && AddCmapTable?.PropertyType == typeof(bool) && Prepared?.FieldType == typeof(bool) && GlyphIndices?.FieldType == typeof(Dictionary<ushort, object?>);

    /// <summary>The printable ASCII characters, U+0020 to U+007E: a padding for every face (<see cref="Pad"/>).</summary>
    public static readonly string PrintableAscii = string.Concat(Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c));

    private readonly ConcurrentDictionary<string, Program> _programs = new(StringComparer.Ordinal);

    /// <summary>Each face's padding (<see cref="Pad"/>): its glyph ids by its name (<see cref="NameOf"/>), for either encoding.</summary>
    private readonly ConcurrentDictionary<string, ushort[]> _padding = new(StringComparer.Ordinal);

    private readonly int _capacity;

    private long _reused;
    private long _made;

    /// <param name="capacity">how many programs are kept at most: when it is reached, they are all dropped and collected anew.</param>
    public FontPrograms(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Font programs given to documents from here.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>Font programs PDFsharp made (and kept here).</summary>
    public long Made => Interlocked.Read(ref _made);

    /// <summary>The programs kept now.</summary>
    public int Count => _programs.Count;

    /// <summary>One font program: its dictionary's entries (in PDFsharp's order) and its compressed bytes.</summary>
    private sealed record Program(KeyValuePair<string, PdfItem?>[] Entries, byte[] Bytes);

    /// <summary>
    /// Gives each embedded face of <paramref name="pdf"/> (drawn, about to be saved) its font program: one kept here when a
    /// document with the same face and glyphs had it, else the one PDFsharp makes (kept for the next). Either way it joins
    /// the document here, before the save, in the order of the faces' descriptors (PDFsharp alone adds it while saving,
    /// between other objects it adds then): a document's bytes do not depend on what was kept.
    /// </summary>
    public void Give(PdfDocument pdf)
    {
        if (!Supported)
        {
            return;
        }

        foreach (var descriptor in pdf.Internals.GetAllObjects().OfType<PdfFontDescriptor>())
        {
            if ((bool)Prepared!.GetValue(descriptor)! || descriptor.Elements.ContainsKey(PdfFontDescriptor.Keys.FontFile2))
            {
                continue;
            }

            var cmap = CMapInfo!.GetValue(descriptor)!;
            var cmapTable = (bool)AddCmapTable!.GetValue(descriptor)!;
            var glyphs = (Dictionary<ushort, object?>)GlyphIndices!.GetValue(cmap)!;
            var faceName = NameOf(descriptor);
            var padded = _padding.TryGetValue(faceName, out var padding);
            if (padded)
            {
                foreach (var glyph in padding!)
                {
                    glyphs.TryAdd(glyph, null);
                }
            }

            // The face, its encoding (whether its subset carries a cmap table) and, first, whether it is padded: a padded face's
            // programs are few (most documents carry its base program, the padding's glyphs alone) and each is written into
            // many documents, so they are compressed at zlib's best level.
            var key = KeyOf($"{(padded ? "*" : "")}{faceName}{(cmapTable ? '+' : '-')}", glyphs);
            if (_programs.TryGetValue(key, out var program))
            {
                var file = new PdfDictionary(pdf);
                foreach (var (name, value) in program.Entries)
                {
                    file.Elements[name] = value;
                }

                file.CreateStream(program.Bytes);
                pdf.Internals.AddObject(file);
                descriptor.Elements[PdfFontDescriptor.Keys.FontFile2] = file.Reference;
                Interlocked.Increment(ref _reused);
            }
            else
            {
                // What PdfFontDescriptor.PrepareForSave does: the subset of the face's glyphs, compressed, as the descriptor's FontFile2.
                var made = (PdfDictionary)NewProgram!.Invoke([pdf]);
                var level = pdf.Options.FlateEncodeMode;
                if (padded)
                {
                    pdf.Options.FlateEncodeMode = PdfFlateEncodeMode.BestCompression;
                }

                try
                {
                    CreateProgram!.Invoke(made, [descriptor, cmap, !cmapTable]);
                }
                catch (TargetInvocationException e) when (e.InnerException is { } inner)
                {
                    // As PDFsharp's save would have failed: with its own exception, not reflection's wrapper.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
                }
                finally
                {
                    pdf.Options.FlateEncodeMode = level;
                }

                Keep(key, new Program(Entries(made), made.Stream.Value));
            }

            Prepared!.SetValue(descriptor, true);
        }
    }

    /// <summary>
    /// From now on every program of each face of <paramref name="fonts"/> also holds the glyphs of
    /// <paramref name="characters"/>, whether a document draws them or not (a face given twice keeps the last), so that
    /// documents whose text lies within them share one program per face whatever letters their names have. The glyphs
    /// are the ones PDFsharp gives those characters in that face: they are read from a throwaway document drawing them.
    /// </summary>
    public void Pad(IEnumerable<XFont> fonts, string characters)
    {
        ArgumentNullException.ThrowIfNull(fonts);
        ArgumentNullException.ThrowIfNull(characters);
        if (!Supported)
        {
            return;
        }

        using var pdf = new PdfDocument();
        using (var g = XGraphics.FromPdfPage(pdf.AddPage()))
        {
            foreach (var font in fonts)
            {
                g.DrawString(characters, font, XBrushes.Black, 0, 20);
            }
        }

        // Every descriptor of a face's name pools its glyphs into the face's padding.
        foreach (var face in pdf.Internals.GetAllObjects().OfType<PdfFontDescriptor>().GroupBy(NameOf, StringComparer.Ordinal))
        {
            _padding[face.Key] = [.. face.SelectMany(d => ((Dictionary<ushort, object?>)GlyphIndices!.GetValue(CMapInfo!.GetValue(d)!)!).Keys).Distinct().Order()];
        }
    }

    private void Keep(string key, Program program)
    {
        if (_programs.Count >= _capacity)
        {
            _programs.Clear();
        }

        _programs.TryAdd(key, program);
        Interlocked.Increment(ref _made);
    }

    /// <summary>A dictionary's entries in its order (PDFsharp's element collection enumerates but cannot copy itself to an array).</summary>
    private static KeyValuePair<string, PdfItem?>[] Entries(PdfDictionary dictionary)
    {
        var entries = new List<KeyValuePair<string, PdfItem?>>(dictionary.Elements.Count);
        foreach (var entry in dictionary.Elements)
        {
            entries.Add(entry);
        }

        return [.. entries];
    }

    /// <summary>A face's name without the subset's random tag: the glyph ids of a character are the same in either encoding.</summary>
    private static string NameOf(PdfFontDescriptor descriptor)
    {
        var name = descriptor.FontName;
        return name[(name.IndexOf('+') + 1)..];
    }

    /// <summary>
    /// The face (marked when padded, its name and its encoding) and its glyphs in order — everything the program is made
    /// from, the font itself being the one shipped set per process.
    /// </summary>
    private static string KeyOf(string face, Dictionary<ushort, object?> glyphs)
    {
        var ids = glyphs.Keys.ToArray();
        Array.Sort(ids);
        return string.Create(face.Length + ids.Length, (face, ids), static (chars, k) =>
        {
            k.face.CopyTo(chars);
            var at = k.face.Length;
            foreach (var id in k.ids)
            {
                chars[at++] = (char)id;
            }
        });
    }
}
