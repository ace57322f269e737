using Billing.Mediation;
using Billing.Storage;
using Hangfire;
using NodaTime;
using Serilog;
using static Billing.Jobs.Mediation.IngestOutcome;

namespace Billing.Jobs.Mediation;

/// <summary>
/// Looks at the drop folder. Under Hangfire it enqueues one <see cref="IngestFileJob"/> per ready
/// file (many workers then ingest in parallel); from the command line it ingests them in turn.
/// </summary>
public sealed class IngestDropFolderJob(BillingDatabase db, MediationOptions options, IClock clock, IBackgroundJobClient? jobs = null)
{
    private readonly DropFolder _drop = new(options.DropFolder);

    /// <summary>Recurring entry point: fan out one job per ready file.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public int Poll()
    {
        if (jobs is null)
        {
            throw new InvalidOperationException("Poll needs a Hangfire job client; use IngestAll outside Hangfire.");
        }

        SweepSpillFiles();
        var ready = Waiting().Where(f => f.State == WaitingState.Ready).ToList();
        foreach (var f in ready)
        {
            Enqueue(jobs, f.Source, f.FileName);
        }

        if (ready.Count > 0)
        {
            Log.ForContext<IngestDropFolderJob>().Information("Enqueued {Count} CDR files for ingest", ready.Count);
        }

        return ready.Count;
    }

    /// <summary>
    /// One file's ingest job and, as its continuation, the rating of what it stored (prepaid debits and
    /// their notices with it). The poll and the drop-folder watcher both call this; a file enqueued
    /// twice is claimed by its checksum once, and the second run finds it handled.
    /// </summary>
    public static string Enqueue(IBackgroundJobClient jobs, string source, string fileName)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var ingest = jobs.Enqueue<IngestFileJob>(j => j.Run(source, fileName));
        jobs.ContinueJobWith<Rating.RateUsageJob>(ingest, j => j.RunAfterIngest(source, fileName));
        return ingest;
    }

    /// <summary>Ingests every ready file now, in order; reports files left alone too.</summary>
    public IReadOnlyList<IngestOutcome> IngestAll(Action<IngestOutcome>? progress = null)
    {
        var ingest = new IngestFileJob(db, options, clock);
        SweepSpillFiles();
        var outcomes = new List<IngestOutcome>();
        foreach (var f in Waiting())
        {
            var outcome = f.State switch
            {
                WaitingState.Ready => ingest.Ingest(f.Source, f.FileName),
                WaitingState.StillWriting => new IngestOutcome
                {
                    File = f.FileName, Source = f.Source, Format = options.Source(f.Source)?.Format.ToString().ToLowerInvariant() ?? "?",
                    Status = Statuses.Skipped, Reason = $"modified less than {options.SettleSeconds} s ago: still being written?",
                },
                WaitingState.NotRegular or WaitingState.UnreadableName => new IngestOutcome
                {
                    File = f.FileName, Source = f.Source, Format = options.Source(f.Source)?.Format.ToString().ToLowerInvariant() ?? "?",
                    Status = Statuses.Skipped,
                    Reason = f.State == WaitingState.UnreadableName ? UnreadableName : IngestFileJob.NotRegular(f.Kind),
                },
                _ => new IngestOutcome
                {
                    File = f.FileName, Source = f.Source, Format = "?", Status = Statuses.Skipped,
                    Reason = f.Source.Length == 0
                        ? "files belong in incoming/<source>/, not directly in incoming/"
                        : $"no source named '{f.Source}' is configured",
                },
            };
            outcomes.Add(outcome);
            progress?.Invoke(outcome);
        }

        return outcomes;
    }

    /// <summary>Why a file whose name is not UTF-8 is left where it is.</summary>
    public const string UnreadableName = "its name is not valid UTF-8, so it cannot be opened: left alone, never read; rename it (convmv -f latin1 -t utf8)";

    /// <summary>Spill files a crashed ingest could leave (where they cannot be unlinked while open).</summary>
    private void SweepSpillFiles()
    {
        if (SuspenseBuffer.Sweep(options.SpillFolder()) is > 0 and var swept)
        {
            Log.ForContext<IngestDropFolderJob>().Information("Swept {Count} spill file(s) left in {Folder}", swept, options.SpillFolder());
        }
    }

    private IReadOnlyList<WaitingFile> Waiting()
    {
        _drop.EnsureLayout(options.Sources.Select(s => s.Name));
        return _drop.Waiting(options.Sources.Select(s => s.Name).ToHashSet(StringComparer.Ordinal), clock.GetCurrentInstant(), Duration.FromSeconds(options.SettleSeconds));
    }
}
