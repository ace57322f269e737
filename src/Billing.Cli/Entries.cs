using Billing.Core.Imports;
using System.Text.Json;
using Billing.Jobs.Invoicing;
using Billing.Mediation.Imports;

namespace Billing.Cli;

/// <summary>
/// What the commands that record entries (charges, payments) share: one row typed on the command line
/// (`add`) or a file of them (`import`), recorded all or none, and reported the same way.
/// </summary>
public static class Entries
{
    /// <summary>Parses one row from the command line's fields; its problems are the command's error (exit 2).</summary>
    public static T Parse<T>(IReadOnlyDictionary<string, string?> fields, Func<Func<string, string>, List<string>, T?> parse)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(parse);
        var problems = new List<string>();
        var row = parse(name => fields.GetValueOrDefault(name)?.Trim() ?? "", problems);
        return row is not null && problems.Count == 0 ? row : throw new UserErrorException(string.Join("; ", problems) + ". Nothing recorded.");
    }

    public static void RequireFile(string file)
    {
        if (!System.IO.File.Exists(file))
        {
            throw new UserErrorException($"No such file: {file}");
        }
    }

    /// <summary>Prints what `add` did: the entry recorded, or that its reference was recorded before; a problem is the command's error.</summary>
    public static int One<TAdded, TRow>(GlobalOptions g, EntryResult<TAdded, TRow> result, string? reference, object json, Func<TAdded, string> recorded, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(output);
        if (result.Errors.Count > 0)
        {
            throw new UserErrorException(result.Errors[0].Message + ". Nothing recorded.");
        }

        output.WriteLine(g.Json ? JsonSerializer.Serialize(json, BillingConfig.Json)
            : result.Added.Count == 1 ? recorded(result.Added[0])
            : $"Reference {reference} was recorded before: nothing recorded.");
        return 0;
    }

    /// <summary>Prints what an import did: the summary, or every bad row as `file:line: message` under "<paramref name="nothing"/>: …" (exit 2).</summary>
    public static int File(GlobalOptions g, string file, IReadOnlyList<ImportError> errors, object json, Action summary, TextWriter output, string nothing = "Nothing recorded")
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(output);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(json, BillingConfig.Json));
        }
        else if (errors.Count > 0)
        {
            output.WriteLine($"{nothing}: {errors.Count} row(s) of {file} need fixing:");
            foreach (var e in errors)
            {
                output.WriteLine($"  {file}:{e.Line}: {e.Message}");
            }
        }
        else
        {
            summary();
        }

        return errors.Count > 0 ? 2 : 0;
    }
}
