using System.ComponentModel;
using Billing.Cli.Hosting;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs;
using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Billing.Integration.Tests.Jobs;

/// <summary>
/// Long jobs show their progress: what a job running on a real Hangfire server reports is kept on the job
/// (its "progress" parameter) and the dashboard's Progress page lists the running job by its readable name
/// with that progress; outside Hangfire a report is a no-op.
/// </summary>
public sealed class JobProgressTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly PostgreSqlStorage _storage;
    private readonly BackgroundJobClient _client;
    private readonly BackgroundJobServer _server;

    public JobProgressTests(DatabaseFixture fx)
    {
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMilliseconds(200) };
        _storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(fx.ConnectionString, options), options);
        _client = new BackgroundJobClient(_storage);
        _server = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                WorkerCount = 1,
                ServerName = "progress-tests-" + Guid.NewGuid().ToString("N")[..8],
                FilterProvider = new JobFilterProviderCollection(JobFilterProviders.Providers, new JobFilterCollection { new JobProgress.Filter() }),
            },
            _storage);
    }

    public void Dispose() => _server.Dispose();

    private string? Progress(string jobId) => JobProgress.Read(_storage.GetMonitoringApi().JobDetails(jobId)?.Properties);

    [Fact]
    public void A_running_job_shows_its_first_and_its_last_report_and_the_progress_page_lists_it_by_name_encoded()
    {
        var id = _client.Enqueue(() => SteppedJob.Count(40, "<b>numbers</b>"));
        var (first, last) = (false, false);
        try
        {
            // The first report is kept at once…
            Wait.Until(() => Progress(id) == "1 / 40 <b>numbers</b> (2 %)", "the first report on the job");
            var page = ProgressPage.Html(_storage.GetMonitoringApi(), "/hangfire");
            Assert.Contains($"<a href=\"/hangfire/jobs/details/{id}\">#{id}</a>", page, StringComparison.Ordinal);
            Assert.Contains("<td>Count 40 &lt;b&gt;numbers&lt;/b&gt;</td>", page, StringComparison.Ordinal);
            Assert.Contains("<td>1 / 40 &lt;b&gt;numbers&lt;/b&gt; (2 %)</td>", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>numbers</b>", page, StringComparison.Ordinal);

            // … and the last always, however soon after the one before.
            SteppedJob.First.Release();
            first = true;
            Wait.Until(() => Progress(id) == "40 / 40 <b>numbers</b> (100 %)", "the last report on the job");
            Assert.Contains("<td>40 / 40 &lt;b&gt;numbers&lt;/b&gt; (100 %)</td>", ProgressPage.Html(_storage.GetMonitoringApi(), "/hangfire"), StringComparison.Ordinal);

            SteppedJob.Last.Release();
            last = true;
            Wait.Until(() => _storage.GetMonitoringApi().JobDetails(id).History.Any(h => h.StateName == "Succeeded"), "the job to succeed");
            Assert.DoesNotContain($"#{id}<", ProgressPage.Html(_storage.GetMonitoringApi(), "/hangfire"), StringComparison.Ordinal);
        }
        finally
        {
            if (!first)
            {
                SteppedJob.First.Release();
            }

            if (!last)
            {
                SteppedJob.Last.Release();
            }
        }
    }

    [Fact]
    public void A_report_outside_a_Hangfire_worker_is_harmless_and_progress_reads_done_of_total_with_its_share()
    {
        var counter = JobProgress.Counter("rows");
        counter(5, 10);
        JobProgress.Report("anything", final: true);
        Assert.Equal(("5 / 10 rows (50 %)", "7 rows"), (JobProgress.Describe(5, 10, "rows"), JobProgress.Describe(7, 0, "rows")));
    }

    /// <summary>Reports 1 of N, waits; reports 2 … N at once (only the last need be kept), waits.</summary>
    public static class SteppedJob
    {
        public static readonly SemaphoreSlim First = new(0);
        public static readonly SemaphoreSlim Last = new(0);

        [DisplayName("Count {0} {1}")]
        public static void Count(int total, string unit)
        {
            var progress = JobProgress.Counter(unit);
            progress(1, total);
            First.Wait(TimeSpan.FromMinutes(2));
            for (var i = 2; i <= total; i++)
            {
                progress(i, total);
            }

            Last.Wait(TimeSpan.FromMinutes(2));
        }
    }
}
