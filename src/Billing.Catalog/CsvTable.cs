using CsvHelper;

namespace Billing.Catalog;

/// <summary>One data row of a catalogue file: its 1-based line and its fields, addressable by column name when the file has a header.</summary>
internal sealed class CsvRow(string file, long line, string[] fields, IReadOnlyDictionary<string, int>? columns)
{
    public string File { get; } = file;

    public long Line { get; } = line;

    public int FieldCount => fields.Length;

    public string At(int index) => index < fields.Length ? fields[index].Trim() : "";

    /// <summary>The trimmed value of <paramref name="column"/>, "" when the column or the field is absent.</summary>
    public string this[string column] =>
        columns is not null && columns.TryGetValue(column, out var i) ? At(i) : "";
}

/// <summary>
/// Reads a catalogue CSV file from its content (a catalogue is a set of file name → text, whether
/// it comes from a folder or from a stored version) with CsvHelper: comma-separated, `#` comment
/// lines and blank lines skipped. Every problem goes to <see cref="CatalogProblems"/> with the file
/// and line.
/// </summary>
internal static class CsvTable
{
    private static CsvReaderOptions Options() => new()
    {
        HasHeader = false,
        TrackLineNumbers = true,
        TrimWhitespace = false,
        PoolStrings = false,
        MaxRecordSize = 64 * 1024,
    };

    /// <summary>
    /// Rows of a file whose first non-comment row names its columns. A missing optional file
    /// yields nothing; a missing required file or required column is an error.
    /// </summary>
    public static List<CsvRow> ReadWithHeader(
        IReadOnlyDictionary<string, string> files, string fileName, bool required, IReadOnlyCollection<string> requiredColumns,
        IReadOnlyCollection<string> optionalColumns, CatalogProblems problems)
    {
        var rows = new List<CsvRow>();
        if (Content(files, fileName, required, problems) is not { } text)
        {
            return rows;
        }

        Dictionary<string, int>? columns = null;
        foreach (var (line, fields) in Records(text, fileName, problems))
        {
            if (columns is null)
            {
                columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < fields.Length; i++)
                {
                    var name = fields[i].Trim();
                    if (!requiredColumns.Contains(name, StringComparer.OrdinalIgnoreCase) && !optionalColumns.Contains(name, StringComparer.OrdinalIgnoreCase))
                    {
                        problems.Error(fileName, line, $"unknown column '{name}' (expected {string.Join(", ", requiredColumns.Concat(optionalColumns))})");
                    }
                    else if (!columns.TryAdd(name, i))
                    {
                        problems.Error(fileName, line, $"column '{name}' appears twice");
                    }
                }

                foreach (var missing in requiredColumns.Where(c => !columns.ContainsKey(c)))
                {
                    problems.Error(fileName, line, $"the header lacks the column '{missing}'");
                }

                continue;
            }

            rows.Add(new CsvRow(fileName, line, fields, columns));
        }

        if (columns is null)
        {
            problems.Error(fileName, 0, $"the file has no header row (expected {string.Join(", ", requiredColumns.Concat(optionalColumns))})");
        }

        return rows;
    }

    /// <summary>Rows of a headerless file, columns by position (CGRateS tariff plans).</summary>
    public static List<CsvRow> ReadPositional(IReadOnlyDictionary<string, string> files, string fileName, bool required, int minimumFields, CatalogProblems problems)
    {
        var rows = new List<CsvRow>();
        if (Content(files, fileName, required, problems) is not { } text)
        {
            return rows;
        }

        foreach (var (line, fields) in Records(text, fileName, problems))
        {
            if (fields.Length < minimumFields)
            {
                problems.Error(fileName, line, $"expected {minimumFields} fields, found {fields.Length}");
                continue;
            }

            rows.Add(new CsvRow(fileName, line, fields, null));
        }

        return rows;
    }

    private static string? Content(IReadOnlyDictionary<string, string> files, string fileName, bool required, CatalogProblems problems)
    {
        if (files.TryGetValue(fileName, out var text))
        {
            return text;
        }

        if (required)
        {
            problems.Error(fileName, 0, "the file is missing");
        }

        return null;
    }

    private static IEnumerable<(long Line, string[] Fields)> Records(string text, string fileName, CatalogProblems problems)
    {
        using var csv = CsvReader.FromText(text, Options());
        long lastFailure = -1;
        while (true)
        {
            bool read;
            try
            {
                read = csv.Read();
            }
            catch (CsvFormatException e)
            {
                problems.Error(fileName, e.LineNumber, $"malformed CSV: {e.Message}");
                if (e.LineNumber == lastFailure)
                {
                    yield break; // no progress: the rest of the file is unreadable
                }

                lastFailure = e.LineNumber;
                continue;
            }

            if (!read)
            {
                yield break;
            }

            var fields = new string[csv.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = csv.GetString(i);
            }

            if (fields.All(string.IsNullOrWhiteSpace) || fields[0].TrimStart().StartsWith('#'))
            {
                continue;
            }

            yield return (csv.LineNumber, fields);
        }
    }
}
