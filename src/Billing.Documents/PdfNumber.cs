using System.Text;

namespace Billing.Documents;

/// <summary>Numbers written straight into PDF operators (<see cref="UsageChart"/>'s bars), without the cost of formatting a double.</summary>
public static class PdfNumber
{
    /// <summary>A coordinate in points to a ten-thousandth, as a PDF number: no exponent, no trailing zeros.</summary>
    public static StringBuilder Append(StringBuilder text, double value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var units = (long)Math.Round(value * 10_000, MidpointRounding.AwayFromZero);
        if (units < 0)
        {
            text.Append('-');
            units = -units;
        }

        text.Append(units / 10_000);
        var fraction = units % 10_000;
        if (fraction == 0)
        {
            return text;
        }

        var digits = 4;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }

        text.Append('.');
        for (var scale = (long)Math.Pow(10, digits - 1); scale > fraction && scale > 1; scale /= 10)
        {
            text.Append('0');
        }

        return text.Append(fraction);
    }
}
