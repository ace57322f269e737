using System.Globalization;
using Billing.Core.Imports;
using Billing.Core.Money;
using CsvHelper;
using NodaTime;
using NodaTime.Text;

namespace Billing.Mediation.Imports;

/// <summary>What the operator's import files (accounts, top-ups, charges, payments) share: a header row, columns found by name, the checks of their common fields.</summary>
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

    /// <summary>
    /// Reads a file whose rows each parse on their own (charges, payments): the header checked, then
    /// <paramref name="parse"/> given each row's line, its fields by name, the references seen so far
    /// and a list for its problems; a row with problems is an error of its line.
    /// </summary>
    public static (IReadOnlyList<T> Rows, IReadOnlyList<ImportError> Errors) Read<T>(
        string path, IReadOnlyList<string> required, string optional, Func<long, Func<string, string>, Dictionary<string, long>, List<string>, T?> parse)
        where T : class
    {
        var rows = new List<T>();
        var errors = new List<ImportError>();
        var (csv, index) = Open(path);
        using var reader = csv;
        if (MissingColumns(index, required, optional) is { } header)
        {
            errors.Add(header);
            return (rows, errors);
        }

        var references = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in Rows(csv, errors))
        {
            var problems = new List<string>();
            var row = parse(line, name => Field(csv, index, name), references, problems);
            if (row is null || problems.Count > 0)
            {
                errors.Add(new ImportError(line, string.Join("; ", problems)));
            }
            else
            {
                rows.Add(row);
            }
        }

        return (rows, errors);
    }

    /// <summary>The trimmed value of a column of the current row, or "" if the file has no such column.</summary>
    public static string Field(CsvReader csv, Dictionary<string, int> index, string name) =>
        index.TryGetValue(name, out var i) && i < csv.FieldCount ? csv.GetString(i).Trim() : "";

    /// <summary>
    /// A row's reference: required (it is what makes a second import record nothing) unless
    /// <paramref name="required"/> is false, and on no earlier line of the file (<paramref name="seen"/>).
    /// </summary>
    public static string? Reference(string reference, long line, Dictionary<string, long> seen, bool required, List<string> problems)
    {
        if (reference.Length == 0)
        {
            if (required)
            {
                problems.Add("reference is empty (it is what makes a second import of the same row record nothing)");
            }

            return null;
        }

        if (seen.TryGetValue(reference, out var first))
        {
            problems.Add($"reference {reference} is already on line {first}");
        }
        else
        {
            seen[reference] = line;
        }

        return reference;
    }

    /// <summary>The columns every entry for an account (a charge, a payment) starts with: reference, account_id, amount.</summary>
    public static (string? Reference, string Account, decimal? Amount) Entry(
        Func<string, string> field, long line, Dictionary<string, long> references, bool referenceRequired, bool signed, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(problems);
        var reference = Reference(field("reference"), line, references, referenceRequired, problems);
        var account = field("account_id");
        if (account.Length == 0)
        {
            problems.Add("account_id is empty");
        }

        return (reference, account, Decimal(field("amount"), "amount", signed, problems));
    }

    /// <summary>A plain decimal (no exponent, no thousands separator), signed when <paramref name="signed"/>.</summary>
    public static decimal? Decimal(string text, string column, bool signed, List<string> problems)
    {
        var styles = NumberStyles.AllowDecimalPoint | (signed ? NumberStyles.AllowLeadingSign : NumberStyles.None);
        if (decimal.TryParse(text, styles, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add($"{column} '{text}' is not a {(signed ? "" : "positive ")}decimal (e.g. {(signed ? "-5.00 or " : "")}10.00)");
        return null;
    }

    /// <summary>An ISO 4217 code in any case, upper-cased; null (a problem noted) if unknown.</summary>
    public static string? CurrencyCode(string text, List<string> problems)
    {
        var code = text.ToUpperInvariant();
        try
        {
            return Currency.Of(code).Code;
        }
        catch (ArgumentException)
        {
            problems.Add($"currency '{code}' is not an ISO 4217 code we know");
            return null;
        }
    }

    /// <summary>A calendar date, yyyy-MM-dd.</summary>
    public static LocalDate? Date(string text, string column, List<string> problems)
    {
        var parsed = LocalDatePattern.Iso.Parse(text);
        if (parsed.Success)
        {
            return parsed.Value;
        }

        problems.Add($"{column} '{text}' is not a date (yyyy-MM-dd)");
        return null;
    }
}
