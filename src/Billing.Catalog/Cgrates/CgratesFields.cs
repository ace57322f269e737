using System.Globalization;

namespace Billing.Catalog.Cgrates;

/// <summary>How CGRateS writes its columns: `*any`, number lists, decimals, Go durations.</summary>
internal static class CgratesFields
{
    public const string Any = "*any";

    public static HashSet<int>? Numbers(CsvRow row, int index, string column, int min, int max, CatalogProblems problems, ref bool ok)
    {
        var text = row.At(index);
        if (text.Length == 0 || text == Any)
        {
            return null;
        }

        var values = new HashSet<int>();
        foreach (var part in text.Split(';', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            {
                problems.Error(row.File, row.Line, $"{column} '{text}': '{part}' is not a number within {min}..{max}");
                ok = false;
                return null;
            }

            values.Add(v);
        }

        return values;
    }

    /// <param name="nonNegative">a price or fee: below zero is an error too (the engine refuses a negative one).</param>
    public static decimal Decimal(CsvRow row, int index, string column, CatalogProblems problems, ref bool ok, bool nonNegative = false)
    {
        if (CatalogUnits.TryParseDecimal(row.At(index), out var value) && (!nonNegative || value >= 0))
        {
            return value;
        }

        problems.Error(row.File, row.Line, $"{column} '{row.At(index)}' is not a {(nonNegative ? "non-negative " : "")}decimal number");
        ok = false;
        return 0;
    }

    public static long Duration(CsvRow row, int index, string column, bool positive, CatalogProblems problems, ref bool ok)
    {
        if (GoDuration.TryParseWholeUnits(row.At(index), out var value) && (!positive || value > 0))
        {
            return value;
        }

        problems.Error(row.File, row.Line, $"{column} '{row.At(index)}' is not a {(positive ? "positive " : "")}duration in whole seconds (e.g. 60s, 1m, 1h30m)");
        ok = false;
        return 0;
    }
}
