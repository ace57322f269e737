using NodaTime;
using NodaTime.Text;
using static Billing.Catalog.Native.NativeCatalogReader;

namespace Billing.Catalog.Native;

/// <summary>holidays.csv: the public holidays timings can include or exclude.</summary>
internal static class HolidaysReader
{
    private static readonly LocalDatePattern IsoDate = LocalDatePattern.Iso;

    public static HashSet<LocalDate> Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var rows = CsvTable.ReadWithHeader(files, HolidaysFile, required: false, ["date"], ["name"], problems);
        var dates = new Dictionary<LocalDate, long>();
        foreach (var row in rows)
        {
            var parsed = IsoDate.Parse(row["date"]);
            if (!parsed.Success)
            {
                problems.Error(row.File, row.Line, $"date '{row["date"]}' is not a date (yyyy-MM-dd)");
            }
            else if (!dates.TryAdd(parsed.Value, row.Line))
            {
                problems.Error(row.File, row.Line, $"{row["date"]} is listed twice (first on line {dates[parsed.Value]})");
            }
        }

        return [.. dates.Keys];
    }
}
