using Billing.Mediation;
using Hangfire;
using NodaTime;
using Serilog;

namespace Billing.Jobs.Mediation;

/// <summary>
/// Under serve, notices a file written into <c>incoming/&lt;source&gt;/</c> as it happens instead of at the
/// next minute's poll: each write (re)arms the file's settle check, and once the file has stood unwritten
/// for <see cref="MediationOptions.WatchSettleMilliseconds"/> it gets the poll's own ingest job with its
/// rating continuation (<see cref="IngestDropFolderJob.Enqueue"/>). The poll stays the safety net: a lost
/// event, a watcher buffer overflow or a watcher that stops costs at most a minute, never a file, and a
/// file both enqueue is claimed once by its checksum.
/// </summary>
public sealed class DropFolderWatcher(MediationOptions options, IClock clock, IBackgroundJobClient jobs) : IDisposable
{
    private readonly ILogger _log = Log.ForContext<DropFolderWatcher>();
    private readonly DropFolder _drop = new(options.DropFolder);
    private readonly HashSet<string> _sources = options.Sources.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
    private readonly Duration _settle = Duration.FromMilliseconds(options.WatchSettleMilliseconds);
    private readonly Dictionary<(string Source, string Name), Instant> _due = [];
    private readonly Lock _lock = new();
    private Timer? _timer;
    private FileSystemWatcher? _watcher;
    private bool _disposed;
    private long _enqueued;

    /// <summary>Files enqueued for ingest since the start.</summary>
    public long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>Starts watching, and looks once at what is already waiting.</summary>
    public void Start()
    {
        _drop.EnsureLayout(_sources);
        _timer = new Timer(_ => Tick(), null, Timeout.Infinite, Timeout.Infinite);
        var watcher = new FileSystemWatcher(Path.Combine(_drop.Root, "incoming"))
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            InternalBufferSize = 64 * 1024,
        };
        watcher.Created += (_, e) => Seen(e.FullPath);
        watcher.Changed += (_, e) => Seen(e.FullPath);
        watcher.Renamed += (_, e) => Seen(e.FullPath);
        watcher.Error += (_, e) => Failed(e.GetException());
        watcher.EnableRaisingEvents = true;
        _watcher = watcher;
        _log.Information("Watching {Folder} for CDR files (settle {Settle} ms; the minute poll stays as the safety net)", watcher.Path, options.WatchSettleMilliseconds);
        Rescan();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _watcher?.Dispose();
        _timer?.Dispose();
    }

    /// <summary>A write, creation or rename under incoming/: the file's settle check is due a window from now.</summary>
    private void Seen(string fullPath)
    {
        var relative = Path.GetRelativePath(Path.Combine(_drop.Root, "incoming"), fullPath);
        var parts = relative.Split(Path.DirectorySeparatorChar);
        if (parts.Length != 2)
        {
            return; // a folder, a file directly in incoming/ or deeper down: the poll reports those
        }

        Arm((parts[0], parts[1]), clock.GetCurrentInstant() + _settle);
    }

    private void Arm((string Source, string Name) file, Instant due)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _due[file] = due;
            var next = _due.Values.Min();
            _timer?.Change(Delay(next), Timeout.InfiniteTimeSpan);
        }
    }

    private TimeSpan Delay(Instant due)
    {
        var wait = (due - clock.GetCurrentInstant()).ToTimeSpan();
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait + TimeSpan.FromMilliseconds(5);
    }

    /// <summary>Judges every file whose settle check is due: ready ones are enqueued, ones written since are re-armed.</summary>
    private void Tick()
    {
        List<(string Source, string Name)> due;
        var now = clock.GetCurrentInstant();
        lock (_lock)
        {
            due = [.. _due.Where(d => d.Value <= now).Select(d => d.Key)];
            foreach (var file in due)
            {
                _due.Remove(file);
            }
        }

        foreach (var file in due)
        {
            Judge(file, now);
        }

        lock (_lock)
        {
            if (!_disposed && _due.Count > 0)
            {
                _timer?.Change(Delay(_due.Values.Min()), Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Judge((string Source, string Name) file, Instant now)
    {
        try
        {
            var waiting = _drop.Judge(file.Source, file.Name, _sources.Contains(file.Source), now, _settle);
            switch (waiting?.State)
            {
                case WaitingState.Ready:
                    IngestDropFolderJob.Enqueue(jobs, file.Source, file.Name);
                    Interlocked.Increment(ref _enqueued);
                    _log.Information("Enqueued {Source}/{File} for ingest as soon as it settled", file.Source, DropFolder.Printable(file.Name));
                    break;
                case WaitingState.StillWriting:
                    Arm(file, DropFolder.LastWrite(waiting.Path) + _settle);
                    break;
                default:
                    break; // gone, hidden, not a regular file or no such source: the poll reports what needs reporting
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or Npgsql.NpgsqlException or BackgroundJobClientException)
        {
            _log.Warning("Drop-folder watcher could not enqueue {Source}/{File} ({Message}); the minute poll will", file.Source, DropFolder.Printable(file.Name), e.Message);
        }
    }

    /// <summary>
    /// Events were lost (the kernel's queue overflowed) or the watch broke: said in the log, every waiting
    /// file is looked at again, and the watch restarted if it stopped. Whatever is still missed, the minute poll takes.
    /// </summary>
    private void Failed(Exception e)
    {
        _log.Warning("Drop-folder watcher: {Kind} ({Message}); looking at incoming/ again, and the minute poll goes on",
            e is InternalBufferOverflowException ? "events lost (buffer overflow)" : "watch failed", e.Message);
        try
        {
            if (_watcher is { EnableRaisingEvents: false } w && !_disposed)
            {
                w.EnableRaisingEvents = true;
            }

            Rescan();
        }
        catch (Exception again) when (again is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _log.Error("Drop-folder watcher stopped: {Message}; files are taken by the minute poll only", again.Message);
        }
    }

    /// <summary>Every entry waiting in incoming/&lt;source&gt;/ gets a settle check.</summary>
    private void Rescan()
    {
        var now = clock.GetCurrentInstant();
        foreach (var f in _drop.Waiting(_sources, now, _settle).Where(f => f.State is WaitingState.Ready or WaitingState.StillWriting))
        {
            Arm((f.Source, f.FileName), now);
        }
    }
}
