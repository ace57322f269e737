using System.Collections.Concurrent;
using System.Globalization;
using Billing.Core.Usage;
using PdfSharp.Drawing;

namespace Billing.Documents;

/// <summary>A brand's fonts, colours, pens and brushes, made once per template (PDFsharp's XFont needs the resolver installed first).</summary>
internal sealed class DocumentStyle
{
    private readonly InvoiceTemplate _template;

    private readonly ConcurrentDictionary<DocumentLanguage, (string Footer, string Contact)> _footers = new();

    public DocumentStyle(InvoiceTemplate template)
    {
        _template = template;
        Title = new XFont(DocumentFonts.Family, 20, XFontStyleEx.Bold);
        Heading = new XFont(DocumentFonts.Family, 10.5, XFontStyleEx.Bold);
        Body = new XFont(DocumentFonts.Family, 8);
        Bold = new XFont(DocumentFonts.Family, 8, XFontStyleEx.Bold);
        Italic = new XFont(DocumentFonts.Family, 8, XFontStyleEx.Italic);
        Large = new XFont(DocumentFonts.Family, 11, XFontStyleEx.Bold);
        Small = new XFont(DocumentFonts.Family, 6.5);
        // Decoded once: each document still embeds it, but PDFsharp reads the PNG only here.
        Logo = template.Logo is { } png ? XImage.FromStream(new MemoryStream(png, writable: false)) : null;
        EncodedLogo = Logo is null ? null : EncodedImage.TryEncode(Logo);
        PrimaryColour = Colour(template, "colour.primary");
        Primary = new XSolidBrush(PrimaryColour);
        Accent = new XSolidBrush(Colour(template, "colour.accent"));
        TextBrush = new XSolidBrush(Colour(template, "colour.text"));
        Muted = new XSolidBrush(Colour(template, "colour.muted"));
        PrimaryShape = ShapeColour.Of(PrimaryColour);
        Band = ShapeColour.Of(Colour(template, "colour.band"));
        RulePen = new ShapePen(ShapeColour.Of(Colour(template, "colour.rule")), 0.5);
        HeadingPen = new ShapePen(PrimaryShape, 1);
        // Every document's programs hold these glyphs, so documents differing only in their names' ASCII letters share them.
        FontPrograms.Pad([Body, Bold, Italic], FontPrograms.PrintableAscii + template.Characters);
        Services = new Dictionary<ServiceType, ShapeColour>
        {
            [ServiceType.Voice] = ShapeColour.Of(Colour(template, "colour.voice")),
            [ServiceType.Sms] = ShapeColour.Of(Colour(template, "colour.sms")),
            [ServiceType.Data] = ShapeColour.Of(Colour(template, "colour.data")),
        };
    }

    public XImage? Logo { get; }

    /// <summary>
    /// The font programs of the documents drawn with this style, for the next ones that use the same glyphs; each face's
    /// padded with the printable ASCII characters and the brand's own words (<see cref="FontPrograms.Pad"/>).
    /// </summary>
    public FontPrograms FontPrograms { get; } = new();

    /// <summary>The logo encoded for PDF once, when it can be shared by documents (<see cref="EncodedImage"/>).</summary>
    public EncodedImage? EncodedLogo { get; }

    public XFont Title { get; }
    public XFont Heading { get; }
    public XFont Body { get; }
    public XFont Bold { get; }
    public XFont Italic { get; }
    public XFont Large { get; }
    public XFont Small { get; }
    public XColor PrimaryColour { get; }
    public XBrush Primary { get; }
    public XBrush Accent { get; }
    public XBrush TextBrush { get; }
    public XBrush Muted { get; }

    /// <summary>The primary colour of shapes: the summary box's head, the rule under a heading (<see cref="HeadingPen"/>).</summary>
    public ShapeColour PrimaryShape { get; }

    /// <summary>The fill behind table headers and the summary box.</summary>
    public ShapeColour Band { get; }

    /// <summary>Thin rules, 0.5 pt in the rule colour: subtotals, the chart's grid, the continuation header, the footer.</summary>
    public ShapePen RulePen { get; }

    /// <summary>The rule under a heading, 1 pt in the primary colour.</summary>
    public ShapePen HeadingPen { get; }

    /// <summary>Each service's colour in the chart: its bars and its key in the legend.</summary>
    public IReadOnlyDictionary<ServiceType, ShapeColour> Services { get; }

    /// <summary>The legal footer and the contact line in <paramref name="language"/>: the same on every page of the brand's documents, so filled in once.</summary>
    public (string Footer, string Contact) FooterTexts(DocumentLanguage language) =>
        _footers.GetOrAdd(language, l => (DocumentFrame.BrandText(_template, l, "footer"), DocumentFrame.BrandText(_template, l, "contact")));

    private static XColor Colour(InvoiceTemplate template, string key)
    {
        var hex = template.Value(key);
        return XColor.FromArgb(
            int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
