using Billing.Mediation.Imports;

namespace Billing.Cli;

/// <summary>How an import that recorded nothing lists its bad rows: one `file:line: message` each.</summary>
public static class ImportErrors
{
    public static void Print(TextWriter output, string file, IReadOnlyList<ImportError> errors)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        output.WriteLine($"Nothing recorded: {errors.Count} row(s) of {file} need fixing:");
        foreach (var e in errors)
        {
            output.WriteLine($"  {file}:{e.Line}: {e.Message}");
        }
    }
}
