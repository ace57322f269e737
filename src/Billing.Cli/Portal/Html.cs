using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Billing.Cli.Portal;

/// <summary>
/// Markup that is safe to write as it is. The only ways to make one are <see cref="Of"/>, whose
/// interpolated holes are HTML-encoded unless they are <see cref="Html"/> themselves, and
/// <see cref="Join"/>: a value from the database or the request can never reach a page unencoded.
/// </summary>
public readonly struct Html
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly string? _markup;

    private Html(string markup) => _markup = markup;

    public static Html Empty => default;

    public string Markup => _markup ?? "";

    /// <summary>Markup from an interpolated string: literal parts as written, every hole encoded (an <see cref="Html"/> hole kept).</summary>
    public static Html Of(ref Builder markup) => new(markup.Build());

    public static Html Join(IEnumerable<Html> parts) => new(string.Concat(parts.Select(p => p.Markup)));

    /// <summary>Text encoded for an element's content or a quoted attribute value.</summary>
    public static string Encode(string? text) => Encoder.Encode(text ?? "");

    public override string ToString() => Markup;

    [InterpolatedStringHandler]
    public ref struct Builder
    {
        private readonly StringBuilder _text;

        public Builder(int literalLength, int formattedCount) => _text = new StringBuilder(literalLength + (formattedCount * 16));

        public readonly void AppendLiteral(string literal) => _text.Append(literal);

        public readonly void AppendFormatted(Html markup) => _text.Append(markup.Markup);

        public readonly void AppendFormatted(string? text) => _text.Append(Encode(text));

        public readonly void AppendFormatted<T>(T value)
        {
            if (value is IEnumerable<Html>)
            {
                // A list of markup is joined with Html.Join, on purpose: never written as its type name.
                throw new ArgumentException("join markup with Html.Join before putting it in a page", nameof(value));
            }

            _text.Append(Encode(value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString()));
        }

        public readonly void AppendFormatted<T>(T value, string format)
            where T : IFormattable => _text.Append(Encode(value.ToString(format, CultureInfo.InvariantCulture)));

        public readonly string Build() => _text.ToString();
    }
}
