using System.CommandLine;
using System.Text.Json;
using Billing.Jobs.Rating;

namespace Billing.Cli.Commands;

/// <summary>billing rate: all unrated usage, and held usage whose cause is gone.</summary>
public static class RateCommand
{
    /// <summary>The largest id range per transaction: each of the 4 partitions' share of it is loaded at once.</summary>
    public const int MaxRange = 10_000_000;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var range = new Option<int>("--range")
        {
            Description = $"Usage ids per transaction, 1 to {MaxRange:N0} (each of the 4 subscriber partitions finds about a quarter of them)",
            DefaultValueFactory = _ => RateUsageJob.DefaultRangeSize,
        }.Within(1, MaxRange);
        var rate = new Command("rate", "Rate all unrated usage (and held usage whose cause is gone); safe to run from several processes") { range };
        rate.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(range), Console.Out)));
        return rate;
    }

    public static int Run(GlobalOptions g, int rangeSize, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var progress = ProgressLine.For(g, "rating", "id ranges × rounds of partitions");
        var result = rt.Jobs.RateUsage().RateAll(rangeSize, progress is null ? null : progress.Report);
        progress?.End();

        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(result, BillingConfig.Json)
            : $"Rated {result.Rated:N0} usage record(s) ({result.ReRated:N0} of them again, in event-time order after a late file); held {result.Held:N0}" +
              (result.HeldByReason.Count == 0 ? "" : $" ({string.Join(", ", result.HeldByReason.Select(h => $"{h.Key} {h.Value:N0}"))})") +
              (result.PartitionsSkipped > 0 ? $"; {result.PartitionsSkipped} of {Billing.Storage.Rating.RatingPartitions.Count} subscriber partitions were being rated, or had just been rated, by another run" : "") + "." +
              (result.WalletDebits + result.Overdrafts > 0 ? $" Prepaid: {result.WalletDebits:N0} debited from wallets, {result.Overdrafts:N0} to overdraft, {result.Notifications:N0} notification(s) queued." : ""));
        return 0;
    }
}
