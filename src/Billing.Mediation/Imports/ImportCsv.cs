using Billing.Core.Imports;
using CsvHelper;

namespace Billing.Mediation.Imports;

/// <summary>What the operator's import files (accounts, top-ups) share: a header row, columns found by name.</summary>
internal static class ImportCsv
{
    /// <summary>Opens <paramref name="path"/> and maps its header's column names (trimmed, any case) to their positions.</summary>
    public static (CsvReader Csv, Dictionary<string, int> Index) Open(string path)
    {
        var csv = CsvReader.Create(File.OpenRead(path), new CsvReaderOptions { HasHeader = true, TrackLineNumbers = true }, leaveOpen: false);
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < csv.Headers.Count; i++)
        {
            index.TryAdd(csv.Headers[i].Trim(), i);
        }

        return (csv, index);
    }

    /// <summary>The header's problem, if it lacks a required column.</summary>
    public static ImportError? MissingColumns(Dictionary<string, int> index, IReadOnlyList<string> required, string? optional = null)
    {
        var missing = required.Where(c => !index.ContainsKey(c)).ToList();
        return missing.Count == 0
            ? null
            : new ImportError(1, $"the header lacks {string.Join(", ", missing)} (required: {string.Join(", ", required)}{(optional is null ? "" : "; optional: " + optional)})");
    }

    /// <summary>
    /// Reads the data rows, yielding each one's line number with the reader on it; blank lines are
    /// skipped, a row with the wrong number of fields is reported in <paramref name="errors"/> and skipped.
    /// </summary>
    public static IEnumerable<long> Rows(CsvReader csv, List<ImportError> errors)
    {
        while (csv.Read())
        {
            var line = csv.LineNumber;
            if (csv.FieldCount == 1 && csv.GetString(0).Trim().Length == 0)
            {
                continue;
            }

            if (csv.FieldCount != csv.Headers.Count)
            {
                errors.Add(new ImportError(line, $"expected {csv.Headers.Count} fields, found {csv.FieldCount}"));
                continue;
            }

            yield return line;
        }
    }

    /// <summary>The trimmed value of a column of the current row, or "" if the file has no such column.</summary>
    public static string Field(CsvReader csv, Dictionary<string, int> index, string name) =>
        index.TryGetValue(name, out var i) && i < csv.FieldCount ? csv.GetString(i).Trim() : "";
}
