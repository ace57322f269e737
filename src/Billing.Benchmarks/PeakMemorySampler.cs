using System.Diagnostics;

namespace Billing.Benchmarks;

/// <summary>
/// Samples the process working set and the managed (GC) heap every 20 ms: the peaks of one phase,
/// not of the process's life. On Linux the resident set is read from /proc/self/statm into a buffer
/// kept for the purpose: Process.Refresh() parses several /proc files and allocated so much that the
/// sampler caused half the garbage collections of the bill run it measured.
/// </summary>
public sealed class PeakMemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;
    private long _peak;
    private long _peakGcHeap;

    public PeakMemorySampler() => _task = Task.Run(async () =>
    {
        using var statm = OperatingSystem.IsLinux() ? new ResidentSet() : null;
        using var process = statm is null ? Process.GetCurrentProcess() : null;
        while (!_stop.IsCancellationRequested)
        {
            if (statm is not null)
            {
                _peak = Math.Max(_peak, statm.Bytes());
            }
            else
            {
                process!.Refresh();
                _peak = Math.Max(_peak, process.WorkingSet64);
            }

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

    /// <summary>The resident set of this process from /proc/self/statm (its second field, in pages), read without allocating.</summary>
    private sealed class ResidentSet : IDisposable
    {
        private static readonly long PageSize = Environment.SystemPageSize;
        private readonly FileStream _file = new("/proc/self/statm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        private readonly byte[] _buffer = new byte[256];

        public long Bytes()
        {
            _file.Position = 0;
            var length = _file.Read(_buffer, 0, _buffer.Length);
            var fields = _buffer.AsSpan(0, length);
            var space = fields.IndexOf((byte)' ');
            var rest = fields[(space + 1)..];
            return System.Buffers.Text.Utf8Parser.TryParse(rest, out long pages, out _) ? pages * PageSize : 0;
        }

        public void Dispose() => _file.Dispose();
    }
}
