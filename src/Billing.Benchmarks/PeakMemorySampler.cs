using System.Diagnostics;

namespace Billing.Benchmarks;

/// <summary>
/// Samples the process working set and the managed (GC) heap every 20 ms: the peaks of one phase,
/// not of the process's life.
/// </summary>
public sealed class PeakMemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;
    private long _peak;
    private long _peakGcHeap;

    public PeakMemorySampler() => _task = Task.Run(async () =>
    {
        var p = Process.GetCurrentProcess();
        while (!_stop.IsCancellationRequested)
        {
            p.Refresh();
            _peak = Math.Max(_peak, p.WorkingSet64);
            _peakGcHeap = Math.Max(_peakGcHeap, GC.GetTotalMemory(forceFullCollection: false));
            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    });

    /// <summary>The highest managed heap size sampled (valid after <see cref="Stop"/>).</summary>
    public long PeakGcHeap => _peakGcHeap;

    /// <summary>Stops sampling; returns the peak working set.</summary>
    public long Stop()
    {
        _stop.Cancel();
        _task.Wait();
        return _peak;
    }

    public void Dispose() => _stop.Dispose();
}
