using System.Diagnostics;

namespace Billing.Benchmarks;

/// <summary>Samples the process working set every 20 ms: the peak of one phase, not of the process's life.</summary>
public sealed class PeakMemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;
    private long _peak;

    public PeakMemorySampler() => _task = Task.Run(async () =>
    {
        var p = Process.GetCurrentProcess();
        while (!_stop.IsCancellationRequested)
        {
            p.Refresh();
            _peak = Math.Max(_peak, p.WorkingSet64);
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

    public long Stop()
    {
        _stop.Cancel();
        _task.Wait();
        return _peak;
    }

    public void Dispose() => _stop.Dispose();
}
