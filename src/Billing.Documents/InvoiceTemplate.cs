using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Billing.Documents;

/// <summary>
/// A brand's layout: <c>templates/invoices/BRAND/brand.txt</c> (operator, address lines, bank details,
/// colours, logo file), <c>LANG/strings.txt</c> per language (English required and complete; another
/// language falls back to English key by key) and the logo. A second brand is a copied folder.
/// </summary>
public sealed partial class InvoiceTemplate
{
    public const string FallbackLanguage = "en";

    private readonly Dictionary<string, DocumentLanguage> _languages;

    private InvoiceTemplate(string folder, IReadOnlyDictionary<string, string> brand, IReadOnlyList<string> address, byte[]? logo, Dictionary<string, DocumentLanguage> languages)
    {
        Folder = folder;
        Brand = brand;
        AddressLines = address;
        Logo = logo;
        _languages = languages;
    }

    public string Folder { get; }

    /// <summary>The brand's name: its folder's.</summary>
    public string Name => Path.GetFileName(Folder);

    /// <summary>brand.txt's values (operator, iban, colour.primary …); <see cref="AddressLines"/> holds the address.</summary>
    public IReadOnlyDictionary<string, string> Brand { get; }

    public IReadOnlyList<string> AddressLines { get; }

    /// <summary>The logo's PNG bytes, or null when brand.txt names none.</summary>
    public byte[]? Logo { get; }

    public IEnumerable<string> Languages => _languages.Keys.Order(StringComparer.Ordinal);

    /// <summary>
    /// Every character of the brand's own words — brand.txt's values, its address and every language's strings — once each,
    /// in order (by code point: a character beyond the BMP stays whole).
    /// </summary>
    public string Characters => string.Concat(
        Brand.Values.Concat(AddressLines).Concat(_languages.Values.SelectMany(l => l.Strings)).SelectMany(v => v.EnumerateRunes()).Distinct().Order());

    /// <summary>The folder of brand <paramref name="brand"/> under <paramref name="configuredRoot"/> (else templates/invoices here, else the shipped copy).</summary>
    public static string Locate(string? configuredRoot, string brand = "default") =>
        Path.Combine(Shipped.Locate(configuredRoot, "invoices"), brand);

    /// <summary>The language <paramref name="code"/> (case-insensitive), else English.</summary>
    public DocumentLanguage Language(string? code) =>
        code is not null && _languages.TryGetValue(code.ToLowerInvariant(), out var language) ? language : _languages[FallbackLanguage];

    /// <summary>A brand value; throws naming brand.txt when it is missing.</summary>
    public string Value(string key) =>
        Brand.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"{Path.Combine(Folder, "brand.txt")}: '{key}' is missing");

    /// <summary>Loads and checks the brand: every problem in one exception, each naming its file.</summary>
    public static InvoiceTemplate Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        folder = Path.GetFullPath(folder);
        var brandFile = Path.Combine(folder, "brand.txt");
        if (!File.Exists(brandFile))
        {
            throw new InvalidDataException($"invoice template: {brandFile} does not exist (a brand is a folder under templates/invoices with brand.txt; set documents.templates in billing.json)");
        }

        var problems = new List<string>();
        var brandLines = ReadPairs(brandFile, problems);
        var brand = new Dictionary<string, string>(StringComparer.Ordinal);
        var address = new List<string>();
        foreach (var (key, value) in brandLines)
        {
            if (key == "address")
            {
                address.Add(value);
            }
            else if (!brand.TryAdd(key, value))
            {
                problems.Add($"{brandFile}: '{key}' is given twice");
            }
        }

        foreach (var key in BrandKeys.Where(k => !brand.ContainsKey(k)))
        {
            problems.Add($"{brandFile}: '{key}' is missing");
        }

        foreach (var (key, value) in brand.Where(b => b.Key.StartsWith("colour.", StringComparison.Ordinal)))
        {
            if (!ColourPattern().IsMatch(value))
            {
                problems.Add($"{brandFile}: {key} '{value}' is not a #RRGGBB colour");
            }
        }

        byte[]? logo = null;
        if (brand.TryGetValue("logo", out var logoName))
        {
            var logoPath = Path.Combine(folder, logoName);
            if (File.Exists(logoPath))
            {
                logo = File.ReadAllBytes(logoPath);
            }
            else
            {
                problems.Add($"{brandFile}: the logo {logoPath} does not exist");
            }
        }

        var strings = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(dir, "strings.txt");
            if (!File.Exists(file))
            {
                continue;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in ReadPairs(file, problems))
            {
                if (!DocumentLanguage.IsKey(key))
                {
                    problems.Add($"{file}: unknown key '{key}'");
                }
                else if (!values.TryAdd(key, value))
                {
                    problems.Add($"{file}: '{key}' is given twice");
                }
            }

            strings[Path.GetFileName(dir).ToLowerInvariant()] = values;
        }

        if (!strings.TryGetValue(FallbackLanguage, out var english))
        {
            problems.Add($"{Path.Combine(folder, FallbackLanguage, "strings.txt")}: English is required (other languages fall back to it)");
        }
        else
        {
            problems.AddRange(DocumentLanguage.Keys.Where(k => !english.ContainsKey(k)).Order(StringComparer.Ordinal)
                .Select(k => $"{Path.Combine(folder, FallbackLanguage, "strings.txt")}: '{k}' is missing"));
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException("invoice template problems:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }

        var languages = strings.ToDictionary(
            s => s.Key,
            s => new DocumentLanguage(s.Key, Merged(english!, s.Value)),
            StringComparer.Ordinal);
        return new InvoiceTemplate(folder, brand, address, logo, languages);
    }

    /// <summary>A language's strings with English's for every key it leaves out (an optional key only English gives included).</summary>
    private static Dictionary<string, string> Merged(Dictionary<string, string> english, Dictionary<string, string> language)
    {
        var merged = new Dictionary<string, string>(english, StringComparer.Ordinal);
        foreach (var (key, value) in language)
        {
            merged[key] = value;
        }

        return merged;
    }

    private static readonly string[] BrandKeys = ["operator", "iban", "bic", "tax-id", "registration", "email", "web", "phone", "colour.primary", "colour.accent", "colour.text", "colour.muted", "colour.rule", "colour.band", "colour.voice", "colour.sms", "colour.data"];

    /// <summary><c>key = value</c> lines; <c>#</c> starts a comment line; <c>\uXXXX</c> in a value is that character (a no-break space).</summary>
    private static List<(string Key, string Value)> ReadPairs(string file, List<string> problems)
    {
        var pairs = new List<(string, string)>();
        var lineNo = 0;
        foreach (var line in File.ReadLines(file, Encoding.UTF8))
        {
            lineNo++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var eq = text.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                problems.Add($"{file}:{lineNo}: expected 'key = value'");
                continue;
            }

            var value = UnicodeEscape().Replace(text[(eq + 1)..].Trim(), m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString());
            pairs.Add((text[..eq].Trim(), value));
        }

        return pairs;
    }

    [GeneratedRegex(@"^#[0-9A-Fa-f]{6}$")]
    private static partial Regex ColourPattern();

    [GeneratedRegex(@"\\u([0-9A-Fa-f]{4})")]
    private static partial Regex UnicodeEscape();
}
