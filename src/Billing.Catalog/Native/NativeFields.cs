namespace Billing.Catalog.Native;

/// <summary>Checks every native file makes of its rows: identifiers, and references to rows of other files.</summary>
internal static class NativeFields
{
    public static T? Lookup<T>(CsvRow row, string column, Dictionary<string, T> items, string file, CatalogProblems problems, ref bool ok)
        where T : class
    {
        if (items.TryGetValue(row[column], out var item))
        {
            return item;
        }

        problems.Error(row.File, row.Line, $"{column} '{row[column]}' is not in {file} (or has errors there)");
        ok = false;
        return null;
    }

    public static bool CheckId(CsvRow row, string column, string id, CatalogProblems problems)
    {
        if (id.Length == 0)
        {
            problems.Error(row.File, row.Line, $"{column} is empty");
            return false;
        }

        if (id.StartsWith('*') || id.Any(char.IsWhiteSpace) || id.Contains(';', StringComparison.Ordinal))
        {
            problems.Error(row.File, row.Line, $"{column} '{id}' may not start with '*' or contain spaces or ';'");
            return false;
        }

        return true;
    }
}
