using System.CommandLine;
using System.Text.Json;

namespace Billing.Cli.Commands;

/// <summary>billing config show.</summary>
public static class ConfigCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var show = new Command("show", "Print the configuration in force (defaults, or the file's settings) as JSON");
        show.SetAction(p => cli.Run(p, g => Show(g, Console.Out)));
        return new Command("config", "Configuration: sources, numbering plans, drop folder") { show };
    }

    /// <summary>The configuration in force (defaults merged with the file), as JSON.</summary>
    public static int Show(GlobalOptions g, TextWriter output)
    {
        var config = BillingConfig.Load(g.ConfigPath);
        if (config.Notifications.Smtp.Password is not null)
        {
            // A secret is not echoed to a terminal or a log of the session.
            config = config with { Notifications = config.Notifications with { Smtp = config.Notifications.Smtp with { Password = "(set)" } } };
        }

        output.WriteLine(JsonSerializer.Serialize(config, BillingConfig.Json));
        return 0;
    }
}
