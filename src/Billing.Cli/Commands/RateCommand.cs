using System.Text.Json;
using Billing.Jobs.Rating;

namespace Billing.Cli.Commands;

public static class RateCommand
{
    public static int Run(GlobalOptions g, int rangeSize, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var job = new RateUsageJob(rt.Db, new CatalogCache());
        var result = job.RateAll(rangeSize, g.Json ? null : (done, total) => Console.Error.Write($"\rrating: {done:N0} / {total:N0} ranges × partitions"));
        if (!g.Json)
        {
            Console.Error.WriteLine();
        }

        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(result, BillingConfig.Json)
            : $"Rated {result.Rated:N0} usage record(s) ({result.ReRated:N0} of them again, in event-time order after a late file); held {result.Held:N0}" +
              (result.HeldByReason.Count == 0 ? "" : $" ({string.Join(", ", result.HeldByReason.Select(h => $"{h.Key} {h.Value:N0}"))})") +
              (result.PartitionsSkipped > 0 ? $"; {result.PartitionsSkipped} of {Billing.Storage.RatingStore.Partitions} subscriber partitions were being rated by another process" : "") + ".");
        return 0;
    }
}
