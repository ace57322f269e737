using System.Globalization;
using System.Text;
using Billing.Core.Money;
using NodaTime;
using NodaTime.Text;

namespace Billing.Documents;

/// <summary>
/// One language's words and number and date formats. The program runs with invariant
/// globalisation, so numbers are written by hand from the template's decimal and group separators.
/// </summary>
public sealed class DocumentLanguage
{
    /// <summary>Every key a strings.txt may hold; English must hold them all.</summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal)
    {
        "decimal-separator", "group-separator", "date-format", "amount-format",
        "title.invoice", "title.credit-note", "number.invoice", "number.credit-note", "issue-date", "due-date", "account", "period", "bill-to",
        "summary", "previous-balance", "payments-and-credits", "current-charges", "tax", "total", "amount-due", "credit-carried", "payment-reference",
        "charges", "account-charges", "subscriber", "subtotal",
        "col.description", "col.period", "col.quantity", "col.allowance", "col.amount", "col.tax", "col.rate", "col.base", "col.time", "col.service", "col.destination", "col.date", "col.reference",
        "kind.recurring", "kind.usage", "kind.late-usage", "kind.overdraft", "kind.one-time", "kind.discount", "kind.adjustment", "prorated", "late",
        "service.voice", "service.sms", "service.data", "unit.days", "unit.sms", "unit.data",
        "taxes", "usage-chart", "annex", "annex-note", "payments", "credits-invoice", "reason", "page",
        "payment-instructions", "credit-instructions", "nothing-to-pay", "footer", "contact",
        "title.letter", "letter.to", "letter.date", "letter.days-overdue", "letter.subject", "letter.body", "letter.overdue-invoices", "letter.col.overdue",
        "letter.total-overdue", "letter.next-heading", "letter.next.email", "letter.next.letter", "letter.next.fee", "letter.next.suspend", "letter.next.agency",
        "letter.next.none", "letter.payment-heading", "letter.payment", "letter.closing",
        "suspensions", "suspension.open", "suspension.lifted",
    };

    /// <summary>
    /// Optional keys beside <see cref="Keys"/>: <c>title.dunning-NAME</c>, the title of a dunning letter whose step's template is
    /// <c>dunning-NAME</c> (<see cref="LetterTitle"/>).
    /// </summary>
    public const string LetterTitlePrefix = "title.dunning-";

    /// <summary>Whether <paramref name="key"/> may be given in a strings.txt: one of <see cref="Keys"/>, or a letter's title (<see cref="LetterTitlePrefix"/>).</summary>
    public static bool IsKey(string key) =>
        Keys.Contains(key) || (key.StartsWith(LetterTitlePrefix, StringComparison.Ordinal) && key.Length > LetterTitlePrefix.Length);

    private readonly IReadOnlyDictionary<string, string> _strings;

    private readonly LocalDatePattern _date;

    internal DocumentLanguage(string code, IReadOnlyDictionary<string, string> strings)
    {
        Code = code;
        _strings = strings;
        DecimalSeparator = strings["decimal-separator"];
        GroupSeparator = strings["group-separator"];
        _date = LocalDatePattern.CreateWithInvariantCulture(strings["date-format"]);
    }

    public string Code { get; }

    public string DecimalSeparator { get; }

    public string GroupSeparator { get; }

    public string this[string key] => _strings[key];

    /// <summary>Every string of the language (English's where it gives none).</summary>
    internal IEnumerable<string> Strings => _strings.Values;

    /// <summary>
    /// The title of a dunning letter whose step's template is <paramref name="template"/> (<c>dunning-…</c>): its own
    /// <c>title.TEMPLATE</c> where the language (or English) gives one — "Final notice" for dunning-final-notice, "Payment
    /// reminder" for a letter on dunning-reminder — else the neutral <c>title.letter</c>: a ladder with two letters calls only
    /// the one on dunning-final-notice final.
    /// </summary>
    public string LetterTitle(string template) =>
        _strings.TryGetValue("title." + template, out var title) ? title : _strings["title.letter"];

    /// <summary>The text of <paramref name="key"/> with its <c>{name}</c> placeholders filled.</summary>
    /// <remarks>One pass over the text: a placeholder named twice takes the first value; one not named stays as written.</remarks>
    public string Text(string key, params (string Name, string Value)[] values)
    {
        var template = _strings[key];
        var open = template.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return template;
        }

        var text = new StringBuilder(template.Length + 32);
        var from = 0;
        while (open >= 0)
        {
            var close = template.IndexOf('}', open + 1);
            if (close < 0)
            {
                break;
            }

            var value = Value(values, template.AsSpan(open + 1, close - open - 1));
            if (value is null)
            {
                open = template.IndexOf('{', open + 1);
                continue;
            }

            text.Append(template, from, open - from).Append(value);
            from = close + 1;
            open = template.IndexOf('{', from);
        }

        return text.Append(template, from, template.Length - from).ToString();
    }

    /// <summary>
    /// <see cref="Text(string, ValueTuple{string, string}[])"/> with one value, as most texts drawn row by row take it (an annex's
    /// "{n} SMS"): a text whose one placeholder is this one is put together at once, without a list of values or a builder.
    /// </summary>
    public string Text(string key, (string Name, string Value) value)
    {
        var template = _strings[key];
        var open = template.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return template;
        }

        var close = template.IndexOf('}', open + 1);
        return close > 0 && template.AsSpan(open + 1, close - open - 1).SequenceEqual(value.Name) && template.IndexOf('{', close + 1) < 0
            ? string.Concat(template.AsSpan(0, open), value.Value, template.AsSpan(close + 1))
            : Text(key, [value]);
    }

    private static string? Value((string Name, string Value)[] values, ReadOnlySpan<char> name)
    {
        foreach (var (n, v) in values)
        {
            if (name.SequenceEqual(n))
            {
                return v;
            }
        }

        return null;
    }

    public string Date(LocalDate date) => _date.Format(date);

    /// <summary>An amount rounded once to the currency's minor unit, with its currency as the language writes it.</summary>
    public string Amount(decimal amount, string currency) =>
        Text("amount-format", ("amount", Money(amount, currency)), ("currency", currency));

    /// <summary>An amount rounded to the currency's minor unit, without the currency.</summary>
    public string Money(decimal amount, string currency) =>
        Number(Rounding.ToMinorUnit(amount, Currency.Of(currency)), Currency.Of(currency).MinorUnit);

    /// <summary>A rated amount exactly as stored: the minor unit's decimals, more when the charge has them (up to 6).</summary>
    public string Exact(decimal amount, string currency)
    {
        var minor = Currency.Of(currency).MinorUnit;
        var decimals = minor;
        while (decimals < Rounding.ChargeDecimals && Math.Round(amount, decimals, MidpointRounding.AwayFromZero) != amount)
        {
            decimals++;
        }

        return Number(amount, decimals);
    }

    /// <summary><paramref name="value"/> rounded half away from zero to <paramref name="decimals"/>, grouped by thousands.</summary>
    public string Number(decimal value, int decimals)
    {
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        var digits = Math.Abs(rounded).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var point = digits.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? digits : digits[..point];
        var text = new StringBuilder(digits.Length + 8);
        if (rounded < 0m)
        {
            text.Append('-');
        }

        for (var i = 0; i < whole.Length; i++)
        {
            if (i > 0 && (whole.Length - i) % 3 == 0)
            {
                text.Append(GroupSeparator);
            }

            text.Append(whole[i]);
        }

        if (point >= 0)
        {
            text.Append(DecimalSeparator).Append(digits, point + 1, digits.Length - point - 1);
        }

        return text.ToString();
    }
}
