using static Billing.Catalog.Cgrates.CgratesImporter;

namespace Billing.Catalog.Cgrates;

/// <summary>Destinations.csv: Id, Prefix — destination ids by prefix.</summary>
internal static class DestinationsReader
{
    public static (List<(string Prefix, string Group)> Entries, HashSet<string> Ids) Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var entries = new List<(string, string)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        foreach (var row in CsvTable.ReadPositional(files, DestinationsFile, required: true, 2, problems))
        {
            var id = row.At(0);
            var prefix = row.At(1).TrimStart('+'); // CGRateS matches the number as given; our numbers are E.164 digits without '+'
            if (id.Length == 0 || prefix.Length == 0 || !prefix.All(char.IsAsciiDigit))
            {
                problems.Error(row.File, row.Line, $"destination '{id}' prefix '{row.At(1)}' is not a string of digits");
                continue;
            }

            ids.Add(id);
            if (seen.Add((id, prefix)))
            {
                entries.Add((prefix, id));
            }
        }

        return (entries, ids);
    }
}
