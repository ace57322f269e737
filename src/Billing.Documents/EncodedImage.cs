using System.Globalization;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace Billing.Documents;

/// <summary>
/// An image (the brand's logo) as PDFsharp encodes it for a PDF — the image XObject and its transparency
/// mask, compressed — made once per template. Drawn with <see cref="XGraphics.DrawImage(XImage, double, double, double, double)"/>,
/// PDFsharp would decode the PNG's pixels and compress them again in every document: about a twentieth of
/// an invoice's render. Here each document gets the same encoded objects, byte for byte what PDFsharp would
/// have written, and the page a content stream of its own that places them.
/// </summary>
internal sealed class EncodedImage
{
    private const string ResourceName = "/BrandLogo";

    private readonly Part _image;
    private readonly Part? _mask;

    private EncodedImage(Part image, Part? mask)
    {
        _image = image;
        _mask = mask;
    }

    /// <summary>
    /// The image encoded once; null when its encoding holds anything but plain values (a palette, say), which
    /// could not be shared between documents — such an image is drawn by PDFsharp in each document instead.
    /// </summary>
    public static EncodedImage? TryEncode(XImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var scratch = new PdfDocument();
        DocumentSettings.Apply(scratch);
        var encoded = new PdfImage(scratch, image);
        var mask = encoded.Elements.GetReference("/SMask")?.Value as PdfDictionary;
        var parts = new[] { Part.Of(encoded), mask is null ? null : Part.Of(mask) };
        return parts.Any(p => p is not null && p.Entries.Any(e => e.Value is PdfObject or PdfReference))
            ? null
            : new EncodedImage(parts[0]!, parts[1]);
    }

    /// <summary>Places the image on <paramref name="page"/> at (<paramref name="x"/>, <paramref name="y"/>) from the top left, <paramref name="width"/> × <paramref name="height"/> points.</summary>
    public void Draw(PdfPage page, double x, double y, double width, double height)
    {
        ArgumentNullException.ThrowIfNull(page);
        var document = page.Owner;
        var image = _image.AddTo(document);
        if (_mask is { } mask)
        {
            image.Elements.SetReference("/SMask", mask.AddTo(document));
        }

        var xObjects = page.Resources.Elements.GetDictionary("/XObject");
        if (xObjects is null)
        {
            xObjects = new PdfDictionary(document);
            page.Resources.Elements["/XObject"] = xObjects;
        }

        xObjects.Elements.SetReference(ResourceName, image);

        // PDF space: the origin at the bottom left of the page. Compressed (a few bytes), as PDFsharp would: once for
        // where the logo was placed last, as the letterhead places it in the same spot on every document.
        var at = (width, height, x, Bottom: page.Height.Point - y - height);
        var placement = Volatile.Read(ref _placement);
        if (placement is null || placement.At != at)
        {
            var operators = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"q {width:0.###} 0 0 {height:0.###} {x:0.###} {at.Bottom:0.###} cm {ResourceName} Do Q\n"));
            placement = new Placement(at, operators, Deflate(operators));
            Volatile.Write(ref _placement, placement);
        }

        var content = page.Contents.AppendContent();
        content.CreateStream(placement.Operators);
        content.Elements.SetName("/Filter", "/FlateDecode");
        content.Stream.Value = placement.Deflated;
    }

    /// <summary>The last placement drawn: where, its content stream, and that compressed (shared by the documents, as the image's bytes are).</summary>
    private Placement? _placement;

    private sealed record Placement((double Width, double Height, double X, double Bottom) At, byte[] Operators, byte[] Deflated);

    private static byte[] Deflate(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.Fastest))
        {
            zlib.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>One encoded object: its dictionary's entries (the mask reference left out) and its stream's bytes.</summary>
    private sealed record Part(KeyValuePair<string, PdfItem?>[] Entries, byte[] Bytes)
    {
        public static Part Of(PdfDictionary encoded) => new(
            [.. encoded.Elements.Where(e => e.Key is not "/SMask" and not "/Length")],
            encoded.Stream.Value);

        public PdfDictionary AddTo(PdfDocument document)
        {
            var copy = new PdfDictionary(document);
            foreach (var (key, value) in Entries)
            {
                copy.Elements[key] = value;
            }

            copy.CreateStream(Bytes);
            document.Internals.AddObject(copy);
            return copy;
        }
    }
}
