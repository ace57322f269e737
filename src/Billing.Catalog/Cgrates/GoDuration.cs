using System.Globalization;

namespace Billing.Catalog.Cgrates;

/// <summary>
/// Go's time.ParseDuration as CGRateS writes rate units and increments (`60s`, `1m`, `1h30m`,
/// `0s`, `1.5m`, `500ms`), reduced to whole seconds. A bare integer (CGRateS' SMS rates write `1`)
/// is taken as that many base units — events for SMS, seconds for voice.
/// </summary>
public static class GoDuration
{
    public static bool TryParseWholeUnits(string? text, out long value)
    {
        value = 0;
        var t = (text ?? "").Trim();
        if (t.Length == 0)
        {
            return false;
        }

        if (t.All(char.IsAsciiDigit))
        {
            return long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        decimal seconds = 0;
        var i = 0;
        while (i < t.Length)
        {
            var start = i;
            while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.'))
            {
                i++;
            }

            if (start == i || !decimal.TryParse(t.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < t.Length && !char.IsAsciiDigit(t[i]) && t[i] != '.')
            {
                i++;
            }

            decimal? factor = t[unitStart..i] switch
            {
                "h" => 3600m,
                "m" => 60m,
                "s" => 1m,
                "ms" => 0.001m,
                "us" or "µs" or "μs" => 0.000001m,
                "ns" => 0.000000001m,
                _ => null,
            };
            if (factor is null)
            {
                return false;
            }

            seconds += number * factor.Value;
        }

        if (seconds != decimal.Truncate(seconds) || seconds > long.MaxValue)
        {
            return false; // sub-second units have no meaning in a catalogue priced per second
        }

        value = (long)seconds;
        return true;
    }
}
