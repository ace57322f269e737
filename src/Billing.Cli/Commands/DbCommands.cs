using Billing.Storage;

namespace Billing.Cli.Commands;

public static class DbCommands
{
    public static int Migrate(GlobalOptions g, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var report = rt.Migration;
        output.WriteLine(report.Applied.Count == 0
            ? $"Schema is up to date at version {report.To} ({rt.Where})."
            : $"Schema migrated from version {report.From} to {report.To} ({rt.Where}): applied {string.Join(", ", report.Applied)}.");
        return 0;
    }
}
