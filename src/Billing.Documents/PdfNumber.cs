using System.Text;

namespace Billing.Documents;

/// <summary>Numbers written straight into PDF operators (<see cref="PageShapes"/>), without the cost of formatting a double.</summary>
public static class PdfNumber
{
    /// <summary>A coordinate in points to a ten-thousandth (half away from zero), as a PDF number: no exponent, no trailing zeros.</summary>
    public static StringBuilder Append(StringBuilder text, decimal value) =>
        Units(text, (long)Math.Round(value * 10_000m, MidpointRounding.AwayFromZero));

    /// <summary>As <see cref="Append(StringBuilder, decimal)"/>, for a coordinate the page's geometry gives as a double.</summary>
    public static StringBuilder Append(StringBuilder text, double value) =>
        Units(text, (long)Math.Round(value * 10_000d, MidpointRounding.AwayFromZero));

    private static StringBuilder Units(StringBuilder text, long units)
    {
        ArgumentNullException.ThrowIfNull(text);
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

        // The ten-thousandths digit by digit, stopping after the last one that is not zero.
        text.Append('.');
        for (var unit = 1_000L; fraction > 0; unit /= 10)
        {
            text.Append((char)('0' + (fraction / unit)));
            fraction %= unit;
        }

        return text;
    }
}
