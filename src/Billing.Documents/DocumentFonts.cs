using PdfSharp.Fonts;

namespace Billing.Documents;

/// <summary>
/// PDFsharp on Linux finds no system fonts: every face comes from the DejaVu TTFs shipped in
/// <c>templates/fonts</c>, so a fresh machine needs no font package. Any family asked for is drawn
/// with DejaVu Sans (the templates name no other).
/// </summary>
public sealed class DocumentFonts : IFontResolver
{
    /// <summary>The family documents ask for.</summary>
    public const string Family = "DejaVu Sans";

    private static readonly Lock Gate = new();

    private static DocumentFonts? _installed;

    private readonly Dictionary<string, byte[]> _faces;

    private DocumentFonts(string folder)
    {
        Folder = folder;
        _faces = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var face in new[] { "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique" })
        {
            var path = Path.Combine(folder, face + ".ttf");
            if (!File.Exists(path))
            {
                throw new InvalidDataException($"document fonts: {path} is missing (templates/fonts ships DejaVu Sans in four faces)");
            }

            _faces[face] = File.ReadAllBytes(path);
        }
    }

    public string Folder { get; }

    /// <summary>
    /// The folder to use: <paramref name="configured"/> if given, else <c>templates/fonts</c> in the
    /// working directory, else the copy shipped next to the program.
    /// </summary>
    public static string Locate(string? configured) => Shipped.Locate(configured, "fonts");

    /// <summary>
    /// Makes the fonts of <paramref name="folder"/> PDFsharp's (once per process: PDFsharp keeps one
    /// resolver, and the faces are the same DejaVu files wherever they were found).
    /// </summary>
    public static void Install(string folder)
    {
        lock (Gate)
        {
            if (_installed is not null)
            {
                return;
            }

            _installed = new DocumentFonts(Path.GetFullPath(folder));
            GlobalFontSettings.FontResolver = _installed;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new((bold, italic) switch
        {
            (true, true) => "DejaVuSans-BoldOblique",
            (true, false) => "DejaVuSans-Bold",
            (false, true) => "DejaVuSans-Oblique",
            _ => "DejaVuSans",
        });

    public byte[]? GetFont(string faceName) => _faces.TryGetValue(faceName, out var bytes) ? bytes : null;
}

/// <summary>Where the shipped template folders are: the working directory's <c>templates/</c>, else the copy next to the program.</summary>
internal static class Shipped
{
    public static string Locate(string? configured, string relative)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var local = Path.GetFullPath(Path.Combine("templates", relative));
        return Directory.Exists(local) ? local : Path.Combine(AppContext.BaseDirectory, "templates", relative);
    }
}
