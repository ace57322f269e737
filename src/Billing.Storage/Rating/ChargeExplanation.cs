using System.Text.Json;
using Billing.Core.Rating;
using NodaTime;

namespace Billing.Storage.Rating;

/// <summary>
/// How a charge was priced, as stored in <c>rated_charges.explanation</c>: compact JSON written by hand,
/// because it is written once per rated record.
/// </summary>
public static class ChargeExplanation
{
    /// <summary>
    /// How the charge was priced, as compact JSON written by hand (this runs once per record):
    /// connect fee, raw cost, flags, and per part [start, offset, billed, timing, rate, step, allowance, cost].
    /// </summary>
    public static string Json(RatedCharge c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var sb = t_explain ??= new System.Text.StringBuilder(256);
        sb.Clear();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        sb.Append(inv, $"{{\"connectFee\":{c.ConnectFee},\"rawCost\":{c.RawCost}");
        if (c.MinimumApplied)
        {
            sb.Append(",\"minimumApplied\":true");
        }

        if (c.Capped)
        {
            sb.Append(",\"capped\":true");
        }

        if (c.DisconnectAt is { } cutAt)
        {
            sb.Append(inv, $",\"disconnectReached\":true,\"disconnectAt\":{cutAt}");
        }

        sb.Append(",\"parts\":[");
        Span<char> at = stackalloc char[40];
        for (var i = 0; i < c.Parts.Count; i++)
        {
            var p = c.Parts[i];
            sb.Append(i == 0 ? "[\"" : ",[\"").Append(at[..FormatInstant(p.Start, at)]).Append("\",");
            sb.Append(inv, $"{p.Offset},{p.BilledQuantity},");
            AppendString(sb, p.TimingId);
            sb.Append(',');
            AppendString(sb, p.RateId);
            sb.Append(inv, $",{p.StepIndex},{p.AllowanceQuantity},{p.Cost}]");
        }

        return sb.Append("]}").ToString();
    }

    [ThreadStatic]
    private static System.Text.StringBuilder? t_explain;

    /// <summary>Writes an instant as the pattern uuuu-MM-dd'T'HH:mm:ss;FFFFFFFFF'Z' does (fraction without trailing zeros, none if zero).</summary>
    private static int FormatInstant(Instant instant, Span<char> dest)
    {
        var t = instant.InUtc();
        if (t.Year is < 0 or > 9999)
        {
            var s = instant.ToString("uuuu-MM-dd'T'HH:mm:ss;FFFFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
            s.AsSpan().CopyTo(dest);
            return s.Length;
        }

        Digits(dest, 0, t.Year, 4);
        dest[4] = '-';
        Digits(dest, 5, t.Month, 2);
        dest[7] = '-';
        Digits(dest, 8, t.Day, 2);
        dest[10] = 'T';
        Digits(dest, 11, t.Hour, 2);
        dest[13] = ':';
        Digits(dest, 14, t.Minute, 2);
        dest[16] = ':';
        Digits(dest, 17, t.Second, 2);
        var n = 19;
        var nanos = t.NanosecondOfSecond;
        if (nanos != 0)
        {
            var width = 9;
            while (nanos % 10 == 0)
            {
                nanos /= 10;
                width--;
            }

            dest[n++] = '.';
            Digits(dest, n, nanos, width);
            n += width;
        }

        dest[n++] = 'Z';
        return n;
    }

    private static void Digits(Span<char> dest, int at, int value, int width)
    {
        for (var i = at + width - 1; i >= at; i--)
        {
            dest[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    private static void AppendString(System.Text.StringBuilder sb, string value)
    {
        if (value.AsSpan().IndexOfAny("\"\\") < 0 && !value.Any(char.IsControl))
        {
            sb.Append('"').Append(value).Append('"');
        }
        else
        {
            sb.Append(JsonSerializer.Serialize(value));
        }
    }
}
