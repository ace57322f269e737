using System.CommandLine;
using System.Text.Json;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing rerate: a period priced again after a catalogue fix.</summary>
public static class RerateCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var from = Checked.Time("--from", "Start of the period: a date (UTC midnight) or ISO-8601 time", required: true);
        var to = Checked.Time("--to", "End of the period, exclusive", required: true);
        var account = new Option<string?>("--account") { Description = "Only this account" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the difference per account and change nothing" };
        var rerate = new Command("rerate", "Re-price a period after a catalogue fix: replaces not-invoiced charges, records the difference of invoiced ones as adjustments") { from, to, account, dryRun };
        rerate.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(from)!.Value, p.GetValue(to)!.Value, p.GetValue(account), p.GetValue(dryRun), Console.Out)));
        return rerate;
    }

    public static int Run(GlobalOptions g, Instant start, Instant end, string? account, bool dryRun, TextWriter output)
    {
        if (end <= start)
        {
            throw new UserErrorException("--to must be after --from (the period is [from, to)).");
        }

        using var rt = Runtime.Start(g);
        var result = rt.Jobs.RateUsage().Rerate(start, end, account, dryRun);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                result.DryRun,
                result.Cycles,
                result.Records,
                result.Held,
                accounts = result.Accounts.Select(a => new
                {
                    a.Account,
                    currency = a.Before.Currency.Code,
                    a.Records,
                    before = a.Before.ToInvariantString(),
                    after = a.After.ToInvariantString(),
                    delta = a.Delta.ToInvariantString(),
                    a.Adjustments,
                }),
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine($"{(dryRun ? "Dry run — nothing changed. " : "")}Re-rated {result.Records:N0} record(s) in {result.Cycles:N0} bill cycle(s) with usage in [{start}, {end})" +
            (account is null ? "" : $" of account {account}") + (result.Held > 0 ? $"; {result.Held:N0} could not be priced now and are held" : "") + ".");
        var table = new TextTable("account", "records", "before", "after", "delta", "adjustments (invoiced)");
        foreach (var a in result.Accounts)
        {
            table.Add(a.Account, a.Records, a.Before.ToString(), a.After.ToString(), a.Delta.ToSignedString(), a.Adjustments);
        }

        output.Write(table.ToString());
        return 0;
    }
}
