using System.Globalization;
using System.Text.Json;
using Billing.Core.Rating;

namespace Billing.Cli.Commands;

/// <summary>
/// billing bench engine: the pure rating engine alone on one thread, no database — the synthetic
/// catalogue and event stream of <c>bench rate</c>, timed R rounds. Prints every round, the best
/// and the median, and the checksum (total amount) that every round must agree on.
/// </summary>
public static class BenchEngineCommand
{
    /// <summary>The catalogue issue's target for the engine alone on one core.</summary>
    public const long TargetEventsPerSecond = 2_000_000;

    public static int Run(GlobalOptions g, int events, int prefixes, int subscribers, int repeat, TextWriter output)
    {
        if (events < 1 || subscribers < 1 || repeat < 1 || prefixes < 3)
        {
            throw new UserErrorException("--rows, --subscribers and --repeat must be at least 1, --prefixes at least 3.");
        }

        if (!g.Json)
        {
            output.WriteLine($"Rating {events:N0} synthetic events ({prefixes:N0} prefixes, {subscribers:N0} subscribers' allowances) on one thread, {repeat} round(s) …");
        }

        var rounds = new List<(decimal Rate, EngineBenchmarkResult Result)>();
        for (var i = 0; i < repeat; i++)
        {
            var r = EngineBenchmark.Run(events, prefixes, subscribers);
            var rate = r.EventsPerSecond;
            rounds.Add((rate, r));
            if (!g.Json)
            {
                output.WriteLine($"  round {i + 1}: {rate,12:N0} events/s  ({r.Rated:N0} priced, total {r.TotalAmount.ToString("F4", CultureInfo.InvariantCulture)} GBP, {r.BytesPerEvent:N0} bytes allocated per event, {r.GcPausePercent:F1} % of the time in GC pauses)");
            }
        }

        if (rounds.Select(r => r.Result.TotalAmount).Distinct().Count() != 1)
        {
            throw new InvalidOperationException("bench engine: rounds priced the same events to different totals.");
        }

        var sorted = rounds.Select(r => r.Rate).Order().ToArray();
        var best = sorted[^1];
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : Math.Round((sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2, MidpointRounding.AwayFromZero);
        var machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                events,
                prefixes,
                subscribers,
                machine,
                rounds = rounds.Select(r => r.Rate),
                bestEventsPerSecond = best,
                medianEventsPerSecond = median,
                totalAmount = rounds[0].Result.TotalAmount,
                allocatedBytesPerEvent = rounds[0].Result.BytesPerEvent,
                gcPausePercent = rounds.Select(r => r.Result.GcPausePercent),
                targetEventsPerSecond = TargetEventsPerSecond,
                meetsTarget = median >= TargetEventsPerSecond,
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine();
        output.WriteLine($"bench engine: {events:N0} events, {prefixes:N0} prefixes, one thread; {machine}");
        output.WriteLine($"  best {best:N0} events/s, median {median:N0} events/s of {repeat} round(s)  (target ≥ {TargetEventsPerSecond:N0})");
        return 0;
    }
}
