using System.Globalization;
using NodaTime;

namespace Billing.Documents;

/// <summary>
/// Texts of the annex's cells written digit by digit: an invoice has dozens to thousands of them, and a
/// pattern or interpolation formats each far slower. Each gives exactly what the plain formatting named
/// on it gives (the tests compare them over many values), falling back to it outside the usual range.
/// </summary>
public static class CellText
{
    /// <summary>A call's length as h:mm:ss, or m:ss under an hour — <c>$"{q / 3600}:{q / 60 % 60:00}:{q % 60:00}"</c> or <c>$"{q / 60}:{q % 60:00}"</c>.</summary>
    public static string Duration(long seconds)
    {
        if (seconds < 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:00}");
        }

        Span<char> text = stackalloc char[32];
        int at;
        if (seconds >= 3600)
        {
            (seconds / 3600).TryFormat(text, out at, default, CultureInfo.InvariantCulture);
            at = Two(text, at, seconds / 60 % 60);
        }
        else
        {
            (seconds / 60).TryFormat(text, out at, default, CultureInfo.InvariantCulture);
        }

        return new string(text[..Two(text, at, seconds % 60)]);
    }

    /// <summary>A local time as <c>uuuu-MM-dd HH:mm:ss</c> (NodaTime's pattern, invariant culture).</summary>
    public static string Stamp(LocalDateTime t)
    {
        if (t.Year is < 1 or > 9999)
        {
            return t.ToString("uuuu-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        return string.Create(19, t, static (s, t) =>
        {
            var year = t.Year;
            s[0] = (char)('0' + (year / 1000));
            s[1] = (char)('0' + (year / 100 % 10));
            s[2] = (char)('0' + (year / 10 % 10));
            s[3] = (char)('0' + (year % 10));
            s[4] = '-';
            Digits(s[5..], t.Month);
            s[7] = '-';
            Digits(s[8..], t.Day);
            s[10] = ' ';
            Digits(s[11..], t.Hour);
            s[13] = ':';
            Digits(s[14..], t.Minute);
            s[16] = ':';
            Digits(s[17..], t.Second);
        });
    }

    /// <summary>':' and two digits of <paramref name="value"/> (0–59) at <paramref name="at"/>; returns where the text goes on.</summary>
    private static int Two(Span<char> text, int at, long value)
    {
        text[at] = ':';
        Digits(text[(at + 1)..], (int)value);
        return at + 3;
    }

    private static void Digits(Span<char> two, int value)
    {
        two[0] = (char)('0' + (value / 10));
        two[1] = (char)('0' + (value % 10));
    }
}
