using static Billing.Catalog.Cgrates.CgratesImporter;

namespace Billing.Catalog.Cgrates;

/// <summary>
/// Destinations.csv: Id, Prefix — destination ids by prefix. CGRateS matches the number as the
/// switch sends it; ours are E.164 digits without '+', so a prefix is read as E.164 under the
/// import's <see cref="CgratesImportOptions.Numbering"/> (without one, only a '+' is dropped).
/// </summary>
internal static class DestinationsReader
{
    public static (List<(string Prefix, string Group)> Entries, HashSet<string> Ids) Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems, PrefixNumbering? numbering)
    {
        var entries = new List<(string, string)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        var rewritten = new List<(long Line, string Written, string Prefix)>();
        foreach (var row in CsvTable.ReadPositional(files, DestinationsFile, required: true, 2, problems))
        {
            var id = row.At(0);
            var prefix = numbering is null ? row.At(1).TrimStart('+') : numbering.ToE164(row.At(1));
            if (id.Length == 0 || prefix.Length == 0 || !prefix.All(char.IsAsciiDigit))
            {
                problems.Error(row.File, row.Line, $"destination '{id}' prefix '{row.At(1)}' is not a string of digits");
                continue;
            }

            if (prefix != row.At(1).TrimStart('+'))
            {
                rewritten.Add((row.Line, row.At(1), prefix));
            }

            ids.Add(id);
            if (seen.Add((id, prefix)))
            {
                entries.Add((prefix, id));
            }
        }

        if (rewritten.Count > 0)
        {
            // One line for the whole file: a national plan rewrites hundreds of prefixes, and each is expected.
            var (line, written, e164) = rewritten[0];
            problems.Warning(DestinationsFile, line, $"{rewritten.Count} prefix(es) in national or international form read as E.164 under country code {numbering!.CountryCode}, trunk prefix '{numbering.TrunkPrefix}' (e.g. {written} → {e164})");
        }

        return (entries, ids);
    }
}
