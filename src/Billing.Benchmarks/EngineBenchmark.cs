using System.Diagnostics;
using Billing.Core.Rating;

namespace Billing.Benchmarks;

/// <summary>What one benchmark run measured, and the rates derived from it.</summary>
/// <param name="ElapsedTicks">Stopwatch ticks spent rating (generation and warm-up excluded).</param>
/// <param name="Events">Events rated in the timed loop.</param>
/// <param name="Rated">How many of them were priced (the rest failed with a reason).</param>
/// <param name="TotalAmount">Sum of the amounts: a checksum that two runs with the same parameters agree on.</param>
/// <param name="PrefixCount">Destination prefixes in the catalogue.</param>
/// <param name="AllocatedBytes">Bytes the timed loop allocated on the managed heap (what the garbage collector then has to reclaim).</param>
/// <param name="GcPause">Time the garbage collector paused the program during the timed loop (included in <paramref name="ElapsedTicks"/>).</param>
public readonly record struct EngineBenchmarkResult(long ElapsedTicks, long Events, long Rated, decimal TotalAmount, int PrefixCount, long AllocatedBytes, TimeSpan GcPause)
{
    /// <summary>Events per second of the timed loop, rounded to a whole event (decimal arithmetic: no binary floating point).</summary>
    public decimal EventsPerSecond => Math.Round(Events * (decimal)Stopwatch.Frequency / Math.Max(1, ElapsedTicks), MidpointRounding.AwayFromZero);

    /// <summary>The share of the timed loop the garbage collector paused the program, in per cent to one decimal.</summary>
    public decimal GcPausePercent =>
        Math.Round(100m * GcPause.Ticks * Stopwatch.Frequency / (Math.Max(1, ElapsedTicks) * (decimal)TimeSpan.TicksPerSecond), 1, MidpointRounding.AwayFromZero);

    /// <summary>Bytes allocated on the managed heap per event (whole bytes, rounded down).</summary>
    public long BytesPerEvent => AllocatedBytes / Math.Max(1, Events);
}

/// <summary>Rounds of <see cref="EngineBenchmark.Run"/> on the same events: each round, the best and the median rate.</summary>
public sealed record EngineRounds(IReadOnlyList<EngineBenchmarkResult> Rounds)
{
    /// <summary>The highest rate of the rounds.</summary>
    public decimal Best => Rounds.Max(r => r.EventsPerSecond);

    /// <summary>The middle rate (an even count: the mean of the two middle ones, half away from zero).</summary>
    public decimal Median => BenchStats.Median(Rounds.Select(r => r.EventsPerSecond));
}

/// <summary>
/// Times the rating engine alone on the <see cref="SyntheticCatalog"/>: no I/O, one thread.
/// Events belong to <c>subscribers</c> subscribers in turn, each with its own allowance balances.
/// </summary>
public static class EngineBenchmark
{
    /// <summary>The catalogue issue's target for the engine alone on one core.</summary>
    public const long TargetEventsPerSecond = 2_000_000;

    /// <summary><paramref name="repeat"/> runs, each reported to <paramref name="onRound"/> as it ends; every round must price the events to the same total.</summary>
    public static EngineRounds Rounds(int events, int prefixCount, int subscribers, int repeat, Action<int, EngineBenchmarkResult>? onRound = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        var rounds = new List<EngineBenchmarkResult>();
        for (var i = 0; i < repeat; i++)
        {
            var result = Run(events, prefixCount, subscribers);
            rounds.Add(result);
            onRound?.Invoke(i + 1, result);
        }

        if (rounds.Select(r => r.TotalAmount).Distinct().Count() != 1)
        {
            throw new InvalidOperationException("bench engine: rounds priced the same events to different totals.");
        }

        return new EngineRounds(rounds);
    }

    public static EngineBenchmarkResult Run(int events, int prefixCount = 5000, int subscribers = 1000, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(events, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(subscribers, 1);
        var catalog = SyntheticCatalog.Create(prefixCount);
        var rater = new Rater(catalog);
        var requests = SyntheticCatalog.Events(catalog, events, seed);

        // Warm-up on throw-away balances so the JIT has tiered up before the timed loop.
        var warm = rater.OpeningAllowances(SyntheticCatalog.PlanId);
        for (var i = 0; i < Math.Min(events, 200_000); i++)
        {
            rater.Rate(SyntheticCatalog.PlanId, requests[i], warm);
        }

        var balances = new Dictionary<string, long>[subscribers];
        for (var s = 0; s < subscribers; s++)
        {
            balances[s] = rater.OpeningAllowances(SyntheticCatalog.PlanId);
        }

        // The generated events move to the old generation now, not during the first collections of the timed loop.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long rated = 0;
        var total = 0m;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var pausedBefore = GC.GetTotalPauseDuration();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < requests.Length; i++)
        {
            var outcome = rater.Rate(SyntheticCatalog.PlanId, requests[i], balances[i % subscribers]);
            if (outcome.Charge is { } charge)
            {
                rated++;
                total += charge.Amount;
            }
        }

        watch.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        return new EngineBenchmarkResult(watch.ElapsedTicks, requests.Length, rated, total, catalog.Destinations.Count, allocated, paused);
    }
}
