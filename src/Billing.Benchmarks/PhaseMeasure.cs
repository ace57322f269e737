using System.Diagnostics;
using Billing.Storage;

namespace Billing.Benchmarks;

/// <summary>
/// What one timed phase of a benchmark took: its wall time, the peaks of memory while it ran, what it
/// allocated, the collections it caused and the CPU it used here and in PostgreSQL (<see cref="CpuMeter"/>).
/// </summary>
public sealed record PhaseMeasure(decimal Seconds, long PeakWorkingSet, long PeakGcHeap, long Allocated, int Gen0, int Gen2, CpuSeconds Cpu, TimeSpan GcPause)
{
    /// <summary>Runs <paramref name="phase"/> after full, compacting collections and measures it.</summary>
    public static PhaseMeasure Of(BillingDatabase db, Action phase)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(phase);
        // Twice: a full collection moves what survives it up one generation only, so after one, what the benchmark keeps
        // across phases (the floor's sample documents, say) would sit in generation 1, and the phase would pay to copy it on.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var (allocated, gen0, gen2, paused) = (GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        using var sampler = new PeakMemorySampler();
        CpuMeter cpu;
        using (var conn = db.Open())
        {
            cpu = CpuMeter.Start(conn);
        }

        var sw = Stopwatch.StartNew();
        phase();
        sw.Stop();
        var used = cpu.Stop();
        var peak = sampler.Stop();
        return new PhaseMeasure(Math.Round((decimal)sw.Elapsed.TotalSeconds, 3, MidpointRounding.AwayFromZero), peak, sampler.PeakGcHeap,
            GC.GetTotalAllocatedBytes(precise: true) - allocated, GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2, used, GC.GetTotalPauseDuration() - paused);
    }
}
