using Billing.Core.Catalog;
using NodaTime.Text;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>
/// taxes.csv: the rate of each tax category in each tax region, optionally from a date on. A rate is
/// a fraction (<c>0.20</c>) or a percentage (<c>20%</c>); a plain number above 1 is refused, so
/// <c>20</c> is never read as 2,000 %.
/// </summary>
internal static class TaxesReader
{
    public static TaxTable Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var rows = CsvTable.ReadWithHeader(files, TaxesFile, required: false, ["tax_region", "tax_category", "rate"], ["name", "effective_from"], problems);
        var rates = new List<TaxRate>();
        var seen = new Dictionary<(string, string, NodaTime.LocalDate?), long>();
        foreach (var row in rows)
        {
            var ok = CheckId(row, "tax_region", row["tax_region"], problems) & CheckId(row, "tax_category", row["tax_category"], problems);
            if (!TryParseRate(row["rate"], out var rate))
            {
                problems.Error(row.File, row.Line, $"rate '{row["rate"]}' is not a fraction from 0 to 1 (0.20) or a percentage (20%)");
                ok = false;
            }

            NodaTime.LocalDate? from = null;
            if (row["effective_from"].Length > 0)
            {
                var parsed = LocalDatePattern.Iso.Parse(row["effective_from"]);
                if (parsed.Success)
                {
                    from = parsed.Value;
                }
                else
                {
                    problems.Error(row.File, row.Line, $"effective_from '{row["effective_from"]}' is not a date (yyyy-MM-dd)");
                    ok = false;
                }
            }

            if (ok && !seen.TryAdd((row["tax_region"], row["tax_category"], from), row.Line))
            {
                problems.Error(row.File, row.Line, $"region {row["tax_region"]}, category {row["tax_category"]} already has a rate from {(from is { } f ? f.ToString("uuuu-MM-dd", null) : "always")} (line {seen[(row["tax_region"], row["tax_category"], from)]})");
                ok = false;
            }

            if (ok)
            {
                var name = row["name"];
                rates.Add(new TaxRate(row["tax_region"], row["tax_category"], rate, name.Length == 0 ? row["tax_category"] : name, from));
            }
        }

        return new TaxTable(rates);
    }

    /// <summary><c>0.20</c> or <c>20%</c> → 0.20; at most 1 (100 %), at least 0.</summary>
    public static bool TryParseRate(string text, out decimal rate)
    {
        var percent = text.EndsWith('%');
        if (!CatalogUnits.TryParseDecimal(percent ? text[..^1] : text, out rate))
        {
            return false;
        }

        rate = percent ? rate / 100m : rate;
        return rate is >= 0m and <= 1m;
    }
}
