using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs;
using Billing.Jobs.Catalog;
using Billing.Jobs.Mediation;
using Billing.Jobs.Rating;
using Billing.Mediation;
using Billing.Storage;
using Dapper;
using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;
using NodaTime;
using NodaTime.Testing;
using Serilog;

namespace Billing.Integration.Tests.Jobs;

/// <summary>
/// The mediation jobs run by a real Hangfire server on the test database: the fan-out from the
/// drop-folder poll, re-runs as the dashboard would make them, and the log scope of each job.
/// Hangfire's static configuration is left alone: storage, filters and activator are passed in.
/// </summary>
public sealed class HangfireIngestTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _fx;
    private readonly TempDir _drop = new();
    private readonly PostgreSqlStorage _storage;
    private readonly BackgroundJobClient _client;
    private readonly CapturingSink _log = new();
    private readonly ILogger _previousLogger;
    private BackgroundJobServer? _server;
    private BackgroundJobServer? _secondServer;

    public HangfireIngestTests(DatabaseFixture fx)
    {
        _fx = fx;
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = TimeSpan.FromMilliseconds(200),
        };
        _storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(fx.ConnectionString, options), options);
        _client = new BackgroundJobClient(_storage);
        _previousLogger = Log.Logger;
        Log.Logger = new LoggerConfiguration().Enrich.FromLogContext().WriteTo.Sink(_log).CreateLogger();
    }

    public void Dispose()
    {
        _server?.Dispose();
        _secondServer?.Dispose();
        Log.Logger = _previousLogger;
        _drop.Dispose();
    }

    private MediationOptions Mediation => Drops.Options(_drop.Path, settleSeconds: 0);

    /// <summary>Starts the server: 2 workers, the jobs built on the test database, the log scope filter on top of Hangfire's own.</summary>
    private void StartServer() => _server = Server(workers: 2, "hangfire-ingest-tests-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A Hangfire server on the test database with its own name, as each `billing serve` process is.</summary>
    private BackgroundJobServer Server(int workers, string name)
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 11, 26, 12, 0));
        return new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                WorkerCount = workers,
                ServerName = name,
                SchedulePollingInterval = TimeSpan.FromMilliseconds(500),
                Activator = new TestActivator(t =>
                    t == typeof(IngestDropFolderJob) ? new IngestDropFolderJob(_fx.Db, Mediation, clock, _client)
                    : t == typeof(IngestFileJob) ? new IngestFileJob(_fx.Db, Mediation, clock)
                    : t == typeof(RateUsageJob) ? new RateUsageJob(_fx.Db, new CatalogCache())
                    : throw new InvalidOperationException($"no job of type {t} in this test")),
                FilterProvider = new JobFilterProviderCollection(JobFilterProviders.Providers, new JobFilterCollection { new JobLogScopeFilter() }),
            },
            _storage);
    }

    /// <summary>Every job has reached a final state: nothing enqueued, running or waiting to retry.</summary>
    private void WaitUntilDrained(string what)
    {
        var monitoring = _storage.GetMonitoringApi();
        Wait.Until(() => monitoring.GetStatistics() is { Enqueued: 0, Processing: 0, Scheduled: 0 }, what);
    }

    private long Count(string sql, object? args = null)
    {
        using var c = _fx.Db.Open();
        return c.ExecuteScalar<long>(sql, args);
    }

    private List<(string Id, Job Job)> SucceededJobs() =>
        [.. _storage.GetMonitoringApi().SucceededJobs(0, 1000).Select(kv => (kv.Key, kv.Value.Job))];

    [Fact]
    public void Poll_FansOutOneJobPerFile_AndWorkersIngestEveryFile()
    {
        Drops.Put(_drop.Path, "canonical", "fan-1.csv", Drops.Canonical(100_000, 10));
        Drops.Put(_drop.Path, "canonical", "fan-2.csv", Drops.Canonical(100_100, 20));
        Drops.Put(_drop.Path, "canonical", "fan-3.csv", Drops.Canonical(100_200, 30));
        StartServer();

        var pollId = _client.Enqueue<IngestDropFolderJob>(j => j.Poll());
        Wait.Until(() => Count("SELECT count(*) FROM cdr_files WHERE file_name LIKE 'fan-%' AND status = 'archived'") == 3, "3 archived files");
        WaitUntilDrained("the poll and the 3 ingest jobs to finish");

        using (var c = _fx.Db.Open())
        {
            var files = c.Query<(string FileName, long Read, long Accepted, long Usage)>("""
                SELECT f.file_name, f.read_count, f.accepted, (SELECT count(*) FROM usage u WHERE u.file_id = f.id)
                FROM cdr_files f WHERE f.file_name LIKE 'fan-%' ORDER BY f.file_name
                """).AsList();
            Assert.Equal([("fan-1.csv", 10L, 10L, 10L), ("fan-2.csv", 20L, 20L, 20L), ("fan-3.csv", 30L, 30L, 30L)], files);
        }

        Assert.Equal(60, Count("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r100000' AND 'r100229'"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_drop.Path, "incoming", "canonical")));
        foreach (var name in new[] { "fan-1.csv", "fan-2.csv", "fan-3.csv" })
        {
            Assert.True(File.Exists(Path.Combine(_drop.Path, "archive", "canonical", name)), name + " archived");
            Assert.True(File.Exists(Path.Combine(_drop.Path, "archive", "canonical", name + ".manifest.json")), name + " manifest");
        }

        // One ingest job per file, fanned out by the poll; all succeeded, none failed or retried.
        // (The class's database is shared: other tests' jobs are in it too.)
        var ingestJobs = SucceededJobs().Where(j => j.Job.Type == typeof(IngestFileJob) && ((string)j.Job.Args[1]).StartsWith("fan-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["fan-1.csv", "fan-2.csv", "fan-3.csv"], ingestJobs.Select(j => (string)j.Job.Args[1]).Order());
        Assert.Contains(SucceededJobs(), j => j.Id == pollId);
        Assert.Equal(0, _storage.GetMonitoringApi().GetStatistics().Failed);

        // Each file's log line carries the id and name of the job that ingested it.
        foreach (var (id, job) in ingestJobs)
        {
            var file = (string)job.Args[1];
            var archived = Assert.Single(_log.Events, e =>
                CapturingSink.Scalar(e, "CdrFile") == "canonical/" + file && e.MessageTemplate.Text.StartsWith("Archived", StringComparison.Ordinal));
            Assert.Equal((id, "IngestFileJob.Run"), (CapturingSink.Scalar(archived, "JobId"), CapturingSink.Scalar(archived, "JobName")));
        }

        var enqueued = Assert.Single(_log.Events, e => e.MessageTemplate.Text.StartsWith("Enqueued {Count}", StringComparison.Ordinal)
            && CapturingSink.Scalar(e, "JobId") == pollId);
        Assert.Equal("IngestDropFolderJob.Poll", CapturingSink.Scalar(enqueued, "JobName"));
    }

    [Fact]
    public void Two_servers_on_one_database_split_the_files_of_one_drop_between_them_and_store_each_file_once()
    {
        // Two `billing serve` processes sharing one PostgreSQL and one drop folder: the poll (run by either)
        // queues one job per file, and whichever server's worker is free takes the next. Nothing else is shared.
        const int files = 12;
        for (var f = 0; f < files; f++)
        {
            Drops.Put(_drop.Path, "canonical", $"split-{f:00}.csv", Drops.Canonical(300_000 + f * 1_000, 500));
        }

        var names = new[] { "serve-a-" + Guid.NewGuid().ToString("N")[..6], "serve-b-" + Guid.NewGuid().ToString("N")[..6] };
        _server = Server(workers: 1, names[0]);
        _secondServer = Server(workers: 1, names[1]);
        _client.Enqueue<IngestDropFolderJob>(j => j.Poll());
        _client.Enqueue<IngestDropFolderJob>(j => j.Poll()); // a second poll, from the other server as likely as not
        Wait.Until(() => Count("SELECT count(*) FROM cdr_files WHERE file_name LIKE 'split-%' AND status = 'archived'") == files, $"{files} archived files");
        WaitUntilDrained("the polls, ingests and ratings to finish");

        // Each file once: one archived row, its 500 records once each, whatever each server's poll queued.
        Assert.Equal(files, Count("SELECT count(DISTINCT file_name) FROM cdr_files WHERE file_name LIKE 'split-%' AND status = 'archived'"));
        Assert.Equal(files, Count("SELECT count(*) FROM cdr_files WHERE file_name LIKE 'split-%'"));
        Assert.Equal(files * 500, Count("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r300000' AND 'r311499'"));
        Assert.Equal(files * 500, Count("SELECT count(DISTINCT (source, record_key)) FROM usage WHERE record_key BETWEEN 'r300000' AND 'r311499'"));
        Assert.Equal(0, _storage.GetMonitoringApi().GetStatistics().Failed);

        // Every ingest job ran on one of the two servers; the split is whatever their free workers took.
        var monitoring = _storage.GetMonitoringApi();
        var ranOn = SucceededJobs().Where(j => j.Job.Type == typeof(IngestFileJob) && ((string)j.Job.Args[1]).StartsWith("split-", StringComparison.Ordinal))
            .Select(j => monitoring.JobDetails(j.Id).History.First(h => h.StateName == "Processing").Data["ServerId"])
            .ToList();
        Assert.InRange(ranOn.Count, files, 2 * files); // the second poll may queue a file again: that job finds it handled
        Assert.All(ranOn, server => Assert.Contains(names, n => server.StartsWith(n, StringComparison.Ordinal)));
    }

    [Fact]
    public void ReRunningIngestAndPoll_AsADoubleClickWould_StoresTheFileOnce()
    {
        Drops.Put(_drop.Path, "canonical", "twice.csv", Drops.Canonical(200_000, 500));

        // All queued before the server starts, so both workers take a copy of the same job at once.
        _client.Enqueue<IngestFileJob>(j => j.Run("canonical", "twice.csv"));
        _client.Enqueue<IngestFileJob>(j => j.Run("canonical", "twice.csv"));
        _client.Enqueue<IngestDropFolderJob>(j => j.Poll());
        _client.Enqueue<IngestDropFolderJob>(j => j.Poll());
        StartServer();

        Wait.Until(() => Count("SELECT count(*) FROM cdr_files WHERE file_name = 'twice.csv' AND status = 'archived'") == 1, "twice.csv archived");
        WaitUntilDrained("every re-run to finish");

        Assert.Equal(1, Count("SELECT count(*) FROM cdr_files WHERE file_name = 'twice.csv'"));
        Assert.Equal((500L, 500L), (Count("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r200000' AND 'r200499'"),
            Count("SELECT accepted FROM cdr_files WHERE file_name = 'twice.csv'")));
        Assert.Equal(["twice.csv", "twice.csv.manifest.json"],
            Directory.EnumerateFiles(Path.Combine(_drop.Path, "archive", "canonical")).Select(Path.GetFileName).Order());
        Assert.Contains("\"status\": \"archived\"", File.ReadAllText(Path.Combine(_drop.Path, "archive", "canonical", "twice.csv.manifest.json")), StringComparison.Ordinal);
        Assert.Equal(0, _storage.GetMonitoringApi().GetStatistics().Failed);
        // A re-run that found nothing to do finished quietly instead of failing into a retry.
        Assert.Empty(RetriedJobs());
    }

    [Fact]
    public void A_file_written_under_the_watcher_is_ingested_and_rated_with_no_poll_and_a_name_starting_with_underscore_is_left_alone()
    {
        StartServer();
        using var watcher = new DropFolderWatcher(Mediation with { WatchSettleMilliseconds = 200 }, SystemClock.Instance, _client);
        watcher.Start();

        Drops.Put(_drop.Path, "canonical", "_still-writing.csv", Drops.Canonical(300_100, 3));
        Drops.Put(_drop.Path, "canonical", "watched.csv", Drops.Canonical(300_000, 7));
        Wait.Until(() => Count("SELECT count(*) FROM cdr_files WHERE file_name = 'watched.csv' AND status = 'archived'") == 1, "watched.csv archived");
        Wait.Until(() => SucceededJobs().Any(j => j.Job.Type == typeof(RateUsageJob) && j.Job.Args.Count == 2 && (string)j.Job.Args[1] == "watched.csv"), "the rating continuation to run");
        WaitUntilDrained("the watcher's jobs to finish");

        Assert.Equal(7, Count("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r300000' AND 'r300006'"));
        var jobs = SucceededJobs().Where(j => j.Job.Args.Count == 2 && (string)j.Job.Args[1] is "watched.csv" or "_still-writing.csv");
        Assert.Equal([("IngestFileJob", "watched.csv"), ("RateUsageJob", "watched.csv")],
            jobs.Select(j => (j.Job.Type.Name, (string)j.Job.Args[1])).Order());
        Assert.Equal(1, watcher.Enqueued);
        Assert.True(File.Exists(Path.Combine(_drop.Path, "incoming", "canonical", "_still-writing.csv")));
        Assert.Equal(0, Count("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r300100' AND 'r300102'"));
    }

    private List<string> RetriedJobs()
    {
        using var c = _fx.Db.Open();
        return c.Query<string>("""
            SELECT jobid || ' ' || name || ': ' || coalesce(reason, '') FROM hangfire.state WHERE name IN ('Failed', 'Scheduled')
            """).AsList();
    }

    private sealed class TestActivator(Func<Type, object> build) : JobActivator
    {
        public override object ActivateJob(Type jobType) => build(jobType);
    }
}
