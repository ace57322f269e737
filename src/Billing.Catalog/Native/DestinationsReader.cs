using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>destinations.csv: destination groups by E.164 prefix (a prefix may sit in several groups).</summary>
internal static class DestinationsReader
{
    /// <summary>The prefix → group entries in file order, and the groups that have at least one.</summary>
    public static (List<(string Prefix, string Group)> Entries, HashSet<string> Groups) Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var rows = CsvTable.ReadWithHeader(files, DestinationsFile, required: true, ["group", "prefix"], [], problems);
        var entries = new List<(string, string)>(rows.Count);
        var seen = new Dictionary<(string, string), long>();
        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var group = row["group"];
            var prefix = row["prefix"].TrimStart('+');
            var ok = CheckId(row, "group", group, problems);
            if (prefix.Length == 0 || !prefix.All(char.IsAsciiDigit))
            {
                problems.Error(row.File, row.Line, $"prefix '{row["prefix"]}' is not a string of digits (E.164 without '+')");
                ok = false;
            }

            if (!ok)
            {
                continue;
            }

            if (seen.TryGetValue((group, prefix), out var first))
            {
                problems.Error(row.File, row.Line, $"prefix {prefix} is already in group '{group}' (line {first})");
                continue;
            }

            seen[(group, prefix)] = row.Line;
            groups.Add(group);
            entries.Add((prefix, group));
        }

        return (entries, groups);
    }
}
