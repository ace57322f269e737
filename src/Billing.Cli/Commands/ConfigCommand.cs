using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Billing.Cli.Commands;

/// <summary>billing config show.</summary>
public static class ConfigCommand
{
    /// <summary>What a secret is printed as: that it is set, never its value.</summary>
    public const string Hidden = "(set)";

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var show = new Command("show", "Print the configuration in force (defaults, or the file's settings) as JSON, and the database it would use; passwords are never printed");
        show.SetAction(p => cli.Run(p, g => Show(g, Console.Out)));
        return new Command("config", "Configuration: sources, numbering plans, drop folder, schedules") { show };
    }

    /// <summary>The configuration in force (defaults merged with the file), as JSON, with "database" added; secrets shown as <see cref="Hidden"/>.</summary>
    public static int Show(GlobalOptions g, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(output);
        var config = BillingConfig.Load(g.ConfigPath);
        if (config.Notifications.Smtp.Password is not null)
        {
            // A secret is not echoed to a terminal or a log of the session.
            config = config with { Notifications = config.Notifications with { Smtp = config.Notifications.Smtp with { Password = Hidden } } };
        }

        var json = JsonSerializer.SerializeToNode(config, BillingConfig.Json)!.AsObject();
        json["database"] = Database(g.Db ?? Environment.GetEnvironmentVariable("BILLING_DB"));
        output.WriteLine(json.ToJsonString(BillingConfig.Json));
        return 0;
    }

    /// <summary>The connection string with its password hidden; or where the embedded cluster is used.</summary>
    public static string Database(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "embedded (no --db or BILLING_DB)";
        }

        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(parsed.Password))
            {
                parsed.Password = Hidden;
            }

            return parsed.ConnectionString;
        }
        catch (ArgumentException)
        {
            // Unparsable: printing it could print a password in whatever shape it was written.
            return "(a connection string that does not parse)";
        }
    }
}
