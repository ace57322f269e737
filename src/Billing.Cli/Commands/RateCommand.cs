using System.Text.Json;
using Billing.Jobs.Catalog;
using Billing.Jobs.Rating;

namespace Billing.Cli.Commands;

public static class RateCommand
{
    public static int Run(GlobalOptions g, int rangeSize, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var job = new RateUsageJob(rt.Db, new CatalogCache(), WalletCommands.Templates(rt));
        var result = job.RateAll(rangeSize, g.Json ? null : (done, total) => Console.Error.Write($"\rrating: {done:N0} / {total:N0} ranges × partitions"));
        if (!g.Json)
        {
            Console.Error.WriteLine();
        }

        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(result, BillingConfig.Json)
            : $"Rated {result.Rated:N0} usage record(s) ({result.ReRated:N0} of them again, in event-time order after a late file); held {result.Held:N0}" +
              (result.HeldByReason.Count == 0 ? "" : $" ({string.Join(", ", result.HeldByReason.Select(h => $"{h.Key} {h.Value:N0}"))})") +
              (result.PartitionsSkipped > 0 ? $"; {result.PartitionsSkipped} of {Billing.Storage.Rating.RatingPartitions.Count} subscriber partitions were being rated by another process" : "") + "." +
              (result.WalletDebits + result.Overdrafts > 0 ? $" Prepaid: {result.WalletDebits:N0} debited from wallets, {result.Overdrafts:N0} to overdraft, {result.Notifications:N0} notification(s) queued." : ""));
        return 0;
    }
}

public static class RerateCommand
{
    public static int Run(GlobalOptions g, string from, string to, string? account, bool dryRun, TextWriter output)
    {
        var start = CatalogCommands.Effective(from);
        var end = CatalogCommands.Effective(to);
        if (end <= start)
        {
            throw new UserErrorException("--to must be after --from (the period is [from, to)).");
        }

        using var rt = Runtime.Start(g);
        var result = new RateUsageJob(rt.Db, new CatalogCache(), WalletCommands.Templates(rt)).Rerate(start, end, account, dryRun);
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
