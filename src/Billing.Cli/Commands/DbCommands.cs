using System.CommandLine;

namespace Billing.Cli.Commands;

/// <summary>billing db migrate.</summary>
public static class DbCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var migrate = new Command("migrate", "Apply pending schema migrations (also done on every start)");
        migrate.SetAction(p => cli.Run(p, g => Migrate(g, Console.Out)));
        return new Command("db", "Database schema") { migrate };
    }

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
