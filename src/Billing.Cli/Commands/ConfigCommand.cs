using System.Text.Json;

namespace Billing.Cli.Commands;

public static class ConfigCommand
{
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
