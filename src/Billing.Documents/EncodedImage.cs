using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace Billing.Documents;

/// <summary>
/// An image (the brand's logo) as PDFsharp encodes it for a PDF — the image XObject and its transparency
/// mask, compressed — made once per template. Drawn with <see cref="XGraphics.DrawImage(XImage, double, double, double, double)"/>,
/// PDFsharp would decode the PNG's pixels and compress them again in every document: about a twentieth of
/// an invoice's render. Here each document gets the same encoded objects, byte for byte what PDFsharp would
/// have written, and the page's shapes (<see cref="PageShapes"/>) the operators that place them.
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

    /// <summary>
    /// Places the image on <paramref name="page"/> at (<paramref name="x"/>, <paramref name="y"/>) from the top left,
    /// <paramref name="width"/> × <paramref name="height"/> points: its objects are added to the document and its placement
    /// to the page's <paramref name="shapes"/> (under the text).
    /// </summary>
    public void Draw(PdfPage page, PageShapes shapes, double x, double y, double width, double height)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(shapes);
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

        // PDF space: the origin at the bottom left of the page. Written once for where the logo was placed last, as the
        // letterhead places it in the same spot on every document.
        var at = (width, height, x, Bottom: shapes.PageHeight - y - height);
        var placement = Volatile.Read(ref _placement);
        if (placement is null || placement.At != at)
        {
            placement = new Placement(at, string.Create(CultureInfo.InvariantCulture, $"q {width:0.###} 0 0 {height:0.###} {x:0.###} {at.Bottom:0.###} cm {ResourceName} Do Q\n"));
            Volatile.Write(ref _placement, placement);
        }

        shapes.Raw(placement.Operators);
    }

    /// <summary>The last placement drawn: where, and its operators.</summary>
    private Placement? _placement;

    private sealed record Placement((double Width, double Height, double X, double Bottom) At, string Operators);

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
