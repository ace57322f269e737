using System.Text.Json;

namespace Billing.Cli.Commands;

public static class ConfigCommand
{
    /// <summary>The configuration in force (defaults merged with the file), as JSON.</summary>
    public static int Show(GlobalOptions g, TextWriter output)
    {
        var config = BillingConfig.Load(g.ConfigPath);
        output.WriteLine(JsonSerializer.Serialize(config, BillingConfig.Json));
        return 0;
    }
}
