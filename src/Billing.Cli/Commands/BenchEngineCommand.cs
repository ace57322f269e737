using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Benchmarks;

namespace Billing.Cli.Commands;

/// <summary>
/// billing bench engine: the pure rating engine alone on one thread, no database — the synthetic
/// catalogue and event stream of <c>bench rate</c>, timed R rounds (<see cref="EngineBenchmark"/>).
/// Prints every round, the best and the median, and the checksum (total amount) that every round
/// must agree on.
/// </summary>
public static class BenchEngineCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var rows = BenchCommand.Rows("Events per round", 2_000_000);
        var prefixes = BenchCommand.Prefixes("Destination prefixes in the synthetic catalogue");
        var subscribers = BenchCommand.Subscribers("Subscribers whose allowances the events draw on", 1_000);
        var repeat = BenchCommand.Repeat("Timed rounds (the best and the median are printed)", 5);
        var engine = new Command("engine", "The pure rating engine alone on one thread, no database") { rows, prefixes, subscribers, repeat };
        engine.SetAction(p => cli.Run(p, g => Run(g, p.GetValue(rows), p.GetValue(prefixes), p.GetValue(subscribers), p.GetValue(repeat), Console.Out)));
        return engine;
    }

    public static int Run(GlobalOptions g, int events, int prefixes, int subscribers, int repeat, TextWriter output)
    {
        if (!g.Json)
        {
            output.WriteLine($"Rating {events:N0} synthetic events ({prefixes:N0} prefixes, {subscribers:N0} subscribers' allowances) on one thread, {repeat} round(s) …");
        }

        var rounds = EngineBenchmark.Rounds(events, prefixes, subscribers, repeat, (i, r) =>
        {
            if (!g.Json)
            {
                output.WriteLine($"  round {i}: {r.EventsPerSecond,12:N0} events/s  ({r.Rated:N0} priced, total {r.TotalAmount.ToString("F4", CultureInfo.InvariantCulture)} GBP, {r.BytesPerEvent:N0} bytes allocated per event, {r.GcPausePercent:F1} % of the time in GC pauses)");
            }
        });

        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                events,
                prefixes,
                subscribers,
                machine = BenchMachine.Description,
                rounds = rounds.Rounds.Select(r => r.EventsPerSecond),
                bestEventsPerSecond = rounds.Best,
                medianEventsPerSecond = rounds.Median,
                totalAmount = rounds.Rounds[0].TotalAmount,
                allocatedBytesPerEvent = rounds.Rounds[0].BytesPerEvent,
                gcPausePercent = rounds.Rounds.Select(r => r.GcPausePercent),
                targetEventsPerSecond = EngineBenchmark.TargetEventsPerSecond,
                meetsTarget = rounds.Median >= EngineBenchmark.TargetEventsPerSecond,
            }, BillingConfig.Json));
            return 0;
        }

        output.WriteLine();
        output.WriteLine($"bench engine: {events:N0} events, {prefixes:N0} prefixes, one thread; {BenchMachine.Description}");
        output.WriteLine($"  best {rounds.Best:N0} events/s, median {rounds.Median:N0} events/s of {repeat} round(s)  (target ≥ {EngineBenchmark.TargetEventsPerSecond:N0})");
        return 0;
    }
}
