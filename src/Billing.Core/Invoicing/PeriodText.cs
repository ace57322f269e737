using System.Globalization;
using NodaTime;

namespace Billing.Core.Invoicing;

/// <summary>How a half-open period of days reads on an invoice: [1 Dec, 1 Jan) is "1 Dec – 31 Dec 2026".</summary>
internal static class PeriodText
{
    public static string Days(LocalDate from, LocalDate toExclusive)
    {
        var last = toExclusive.PlusDays(-1);
        var first = from.Year == last.Year ? from.ToString("d MMM", CultureInfo.InvariantCulture) : Day(from);
        return $"{first} – {Day(last)}";
    }

    private static string Day(LocalDate date) => date.ToString("d MMM uuuu", CultureInfo.InvariantCulture);
}
