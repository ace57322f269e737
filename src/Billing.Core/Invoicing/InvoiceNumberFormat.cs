using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Billing.Core.Invoicing;

/// <summary>
/// The text of a document number from its series' pattern: <c>{yyyy}</c> (the year, 4 digits),
/// <c>{yy}</c> (its last 2), and exactly one sequence token, <c>{seq}</c> or <c>{seq:000000}</c>
/// (zero-padded to that width, wider when the number outgrows it). Literal text is letters, digits
/// and <c>- _ / .</c>. The database assigns the gapless sequence; this only writes it.
/// </summary>
public sealed partial class InvoiceNumberFormat
{
    public const string DefaultInvoice = "INV-{yyyy}-{seq:000000}";

    public const string DefaultCreditNote = "CN-{yyyy}-{seq:000000}";

    private readonly IReadOnlyList<string> parts;

    public InvoiceNumberFormat(string pattern)
    {
        // Stryker disable once Statement : equivalent — without it the pattern match below throws the same ArgumentNullException.
        ArgumentNullException.ThrowIfNull(pattern);
        if (!Whole().IsMatch(pattern))
        {
            throw new ArgumentException($"'{pattern}' is not a number pattern: literal letters, digits, - _ / . and the tokens {{yyyy}}, {{yy}}, {{seq}} or {{seq:000…}}", nameof(pattern));
        }

        parts = Token().Split(pattern);
        if (parts.Count(p => p.StartsWith("{seq", StringComparison.Ordinal)) != 1)
        {
            throw new ArgumentException($"'{pattern}' needs exactly one sequence token", nameof(pattern));
        }

        Pattern = pattern;
    }

    public string Pattern { get; }

    public static InvoiceNumberFormat Invoice { get; } = new(DefaultInvoice);

    public static InvoiceNumberFormat CreditNote { get; } = new(DefaultCreditNote);

    public string Format(int year, long sequence)
    {
        if (year is < 1 or > 9999)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, "a year is 1–9999");
        }

        if (sequence < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "a sequence starts at 1");
        }

        var text = new StringBuilder();
        foreach (var part in parts)
        {
            text.Append(part switch
            {
                "{yyyy}" => year.ToString("D4", CultureInfo.InvariantCulture),
                "{yy}" => (year % 100).ToString("D2", CultureInfo.InvariantCulture),
                "{seq}" => sequence.ToString(CultureInfo.InvariantCulture),
                _ when part.StartsWith("{seq:", StringComparison.Ordinal) => sequence.ToString(part[5..^1], CultureInfo.InvariantCulture),
                _ => part,
            });
        }

        return text.ToString();
    }

    /// <summary>The year a document issued in <paramref name="year"/> counts under: its own when the pattern shows the year (a series restarts each year), else 0.</summary>
    public int CounterYear(int year) => Pattern.Contains("{yy", StringComparison.Ordinal) ? year : 0;

    public override string ToString() => Pattern;

    [GeneratedRegex(@"^(?:[A-Za-z0-9_/.\-]|\{yyyy\}|\{yy\}|\{seq(?::0+)?\})+\z")]
    private static partial Regex Whole();

    [GeneratedRegex(@"(\{[^}]*\})")]
    private static partial Regex Token();
}
