using System.Net;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// <c>billing serve</c> as an operator starts it (<see cref="ServeProcess"/>) against the test database.
/// </summary>
public sealed class ServeSmokeTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture fx;

    public ServeSmokeTests(DatabaseFixture fx)
    {
        this.fx = fx;
        DashboardUsers.Ensure(fx.Db);
    }

    [Fact]
    public async Task Serve_RunsTheDashboardAndTheSchedule_AndIngestsADroppedFileWhenThePollIsTriggered()
    {
        using var work = new TempDir();
        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using var http = serve.Client();

        await serve.WaitUntilHealthy(http);

        using var operations = await DashboardUsers.SignedIn(serve, DashboardUsers.Operations);
        using var dashboard = await operations.GetAsync(new Uri("/hangfire", UriKind.Relative));
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Billing.Batch jobs", html, StringComparison.Ordinal);

        using (var c = fx.Db.Open())
        {
            Assert.Equal(1, c.ExecuteScalar<long>("SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs' AND value = 'mediation:poll-drop-folder'"));
            var recurring = c.Query<(string Field, string Value)>(
                "SELECT field, value FROM hangfire.hash WHERE key = 'recurring-job:mediation:poll-drop-folder' AND field IN ('Cron', 'Job')").ToDictionary(r => r.Field, r => r.Value);
            Assert.Equal("* * * * *", recurring["Cron"]);
            Assert.Contains("\"t\":\"Billing.Jobs.Mediation.IngestDropFolderJob", recurring["Job"], StringComparison.Ordinal);
            Assert.Contains("\"m\":\"Poll\"", recurring["Job"], StringComparison.Ordinal);
        }

        var dropped = Drops.Put(Path.Combine(work.Path, "drop"), "canonical", "smoke.csv", Drops.Canonical(900_000, 25));

        // The schedule polls once a minute: trigger it now, as an operator would from the dashboard.
        using var trigger = await TriggerRecurringJob(serve, "mediation:poll-drop-folder");
        Assert.True(trigger.IsSuccessStatusCode, $"trigger answered {(int)trigger.StatusCode}\n{serve.Output}");

        Wait.Until(() => !File.Exists(dropped) && File.Exists(Path.Combine(work.Path, "drop", "archive", "canonical", "smoke.csv.manifest.json")),
            "smoke.csv to be archived\n" + serve.Output);
        using (var c = fx.Db.Open())
        {
            Assert.Equal(("archived", 25L), c.QuerySingle<(string, long)>("SELECT status, accepted FROM cdr_files WHERE file_name = 'smoke.csv'"));
            Assert.Equal(25, c.ExecuteScalar<long>("SELECT count(*) FROM usage WHERE record_key BETWEEN 'r900000' AND 'r900024'"));
        }

        // The server's log file: the ingest line carries the Hangfire job that wrote it.
        string? archivedLine = null;
        Wait.Until(() => (archivedLine = LogLines(work.Path).FirstOrDefault(l => l.Contains("\"CdrFile\":\"canonical/smoke.csv\"", StringComparison.Ordinal)
            && l.Contains("Archived", StringComparison.Ordinal))) is not null, "the ingest log line\n" + serve.Output);
        Assert.Matches("\"JobId\":\"\\d+\"", archivedLine);
        Assert.Contains("\"JobName\":\"IngestFileJob.Run\"", archivedLine, StringComparison.Ordinal);

        // The ingest job as the dashboard lists it: its name says which file, its succeeded state holds the counts.
        var storage = Billing.Cli.Hosting.HangfireStorage.Reader(fx.ConnectionString);
        // The file is archived inside the job; its succeeded state is written just after.
        KeyValuePair<string, Hangfire.Storage.Monitoring.SucceededJobDto> ingest = default;
        // The drop-folder watcher may have queued the file too: that job found it taken and says so; the one that archived it is the one to look at.
        Wait.Until(() => (ingest = storage.GetMonitoringApi().SucceededJobs(0, 100)
            .SingleOrDefault(j => j.Value.Job?.Type == typeof(Billing.Jobs.Mediation.IngestFileJob) && j.Value.Job.Args[1] as string == "smoke.csv"
                && System.Text.RegularExpressions.Regex.IsMatch(j.Value.Result?.ToString() ?? "", "\"Status\":\\s*\"archived\""))).Key is not null,
            "the ingest job to succeed\n" + serve.Output);
        Assert.Matches("\"Status\":\\s*\"archived\"", ingest.Value.Result.ToString());
        Assert.Matches("\"Accepted\":\\s*25,", ingest.Value.Result.ToString());
        var listed = await operations.GetStringAsync(new Uri("/hangfire/jobs/succeeded", UriKind.Relative));
        Assert.Contains("Ingest canonical/smoke.csv", listed, StringComparison.Ordinal);
        var details = System.Net.WebUtility.HtmlDecode(await operations.GetStringAsync(new Uri($"/hangfire/jobs/details/{ingest.Key}", UriKind.Relative)));
        Assert.Contains("Ingest canonical/smoke.csv", details, StringComparison.Ordinal);
        Assert.Matches("\"Accepted\":\\s*25,", details);

        // The poll's success is recorded: /health and `billing schedules list` tell when.
        // (The watcher may have taken the file before the triggered poll ran: the poll's own success is then recorded a moment later.)
        await Wait.UntilAsync(async () =>
        {
            using var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative)));
            var poll = health.RootElement.GetProperty("recurringJobs").EnumerateArray().Single(j => j.GetProperty("id").GetString() == "mediation:poll-drop-folder");
            return poll.GetProperty("lastSuccess").ValueKind == System.Text.Json.JsonValueKind.String;
        }, "/health to tell the poll's last success\n" + serve.Output);

        var (exit, listing, err) = BillingProcess.Run(work.Path, "schedules", "list", "--json", "--db", fx.ConnectionString);
        Assert.True(exit == 0, err);
        using var schedules = System.Text.Json.JsonDocument.Parse(listing);
        var polled = schedules.RootElement.EnumerateArray().Single(j => j.GetProperty("id").GetString() == "mediation:poll-drop-folder");
        Assert.Equal(System.Text.Json.JsonValueKind.String, polled.GetProperty("lastSuccess").ValueKind);
        Assert.Equal("* * * * *", polled.GetProperty("cron").GetString());
    }

    [Fact]
    public async Task Serve_SchedulesNotificationDelivery_AndDeliversTheOutboxWhenTheJobIsTriggered_IntoAFileOnlyItsOwnerCanRead()
    {
        using var work = new TempDir();
        long id;
        using (var c = fx.Db.Open())
        {
            Notifications.OutboxData.AddAccount(c, "SERVE-1", "serve@example.org");
            id = Assert.Single(Notifications.OutboxData.Enqueue(c, "SERVE-1", 1, keyPrefix: "serve"));
        }

        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using var http = serve.Client();
        await serve.WaitUntilHealthy(http);

        using (var c = fx.Db.Open())
        {
            var recurring = c.Query<(string Field, string Value)>(
                "SELECT field, value FROM hangfire.hash WHERE key = 'recurring-job:notifications:deliver' AND field IN ('Cron', 'Job')").ToDictionary(r => r.Field, r => r.Value);
            Assert.Equal("* * * * *", recurring["Cron"]);
            Assert.Contains("\"t\":\"Billing.Jobs.Notifications.DeliverNotificationsJob", recurring["Job"], StringComparison.Ordinal);
        }

        // Due every minute; trigger it now (the minute may also come first: either run delivers it once).
        using var trigger = await TriggerRecurringJob(serve, "notifications:deliver");
        Assert.True(trigger.IsSuccessStatusCode, $"trigger answered {(int)trigger.StatusCode}\n{serve.Output}");

        var folder = Path.Combine(work.Path, ".billing", "notifications");
        using var conn = fx.Db.Open();
        Wait.Until(() => conn.ExecuteScalar<string>("SELECT status FROM notifications WHERE id = @id", new { id }) == "sent", "the notification to be sent\n" + serve.Output);
        var file = Assert.Single(Directory.GetFiles(folder));
        Assert.EndsWith($"-{id:000000}-low-balance.txt", file, StringComparison.Ordinal);
        Assert.StartsWith("To: serve@example.org\n", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Serve_SchedulesTheDailyDraftBillRun_AndTriggeringItPlansTheRunOfTheCyclesThatEndedYesterday()
    {
        await TriggerTheScheduledJob("invoicing:daily-bill-run", "0 3 * * *", "Billing.Jobs.Invoicing.BillRunFanOut", (c, output) =>
        {
            // invoicing.daysAfterCycleEnd is 1: the run of the day before the server's own today (UTC). Judged by the server's clock
            // as Hangfire records it — the job ran between its creation and its success, so "yesterday" is the day before either
            // (they differ only across a midnight) — never this test's. After a 28th no cycle ends (cycle days are 1–28): the job
            // then succeeds and plans no run.
            const string daily = "j.invocationdata->>'Type' LIKE 'Billing.Jobs.Invoicing.BillRunFanOut,%' AND j.invocationdata->>'Method' = 'Daily'";
            Wait.Until(() => c.ExecuteScalar<long>($"SELECT count(*) FROM hangfire.job j WHERE {daily} AND j.statename = 'Succeeded'") == 1,
                "the daily bill run to finish\n" + output());
            var (created, succeeded) = c.QuerySingle<(string, string)>($"""
                SELECT ((j.createdat AT TIME ZONE 'UTC')::date - 1)::text, ((s.createdat AT TIME ZONE 'UTC')::date - 1)::text
                FROM hangfire.job j JOIN hangfire.state s ON s.jobid = j.id AND s.name = 'Succeeded'
                WHERE {daily}
                """);
            NodaTime.LocalDate[] yesterdays = [Day(created), Day(succeeded)];
            var planned = c.Query<string>("SELECT run_date::text FROM bill_runs WHERE created_by = 'schedule'").Select(Day).ToList();

            // One run, of yesterday, when yesterday could close a cycle; none when it could not.
            Assert.Contains(yesterdays, y => planned.SequenceEqual(y.Day <= 28 ? [y] : []));
        });
    }

    [Fact]
    public async Task Serve_SchedulesTheDailyDunningRunAt0400_AndTriggeringItRecordsTheRunOfToday()
    {
        await TriggerTheScheduledJob("dunning:daily", "0 4 * * *", "Billing.Jobs.Dunning.DunningJob", (c, output) =>
            // The run of the server's today (UTC), finished — judged by the server's clock as the run records it, not this test's
            // (a midnight between reading the clock and the insert allows the day before).
            Wait.Until(() => c.ExecuteScalar<long>("""
                SELECT count(*) FROM dunning_runs WHERE started_by = 'serve' AND finished_at IS NOT NULL
                   AND as_of BETWEEN (started_at AT TIME ZONE 'UTC')::date - 1 AND (started_at AT TIME ZONE 'UTC')::date
                """) == 1, "the daily dunning run to finish\n" + output()));
    }

    /// <summary>
    /// Starts serve, checks the recurring job is registered with its default cron and job class, presses
    /// "Trigger now" as operations, then waits for what the job makes (<paramref name="waitFor"/>, given the
    /// database and serve's output so far).
    /// </summary>
    private async Task TriggerTheScheduledJob(string id, string cron, string jobType, Action<Npgsql.NpgsqlConnection, Func<string>> waitFor)
    {
        using var work = new TempDir();
        await using var serve = ServeProcess.Start(fx.ConnectionString, work.Path);
        using var http = serve.Client();
        await serve.WaitUntilHealthy(http);

        using var c = fx.Db.Open();
        var recurring = Recurring(c, id);
        Assert.Equal(cron, recurring["Cron"]);
        Assert.Contains($"\"t\":\"{jobType}", recurring["Job"], StringComparison.Ordinal);

        using var trigger = await TriggerRecurringJob(serve, id);
        Assert.True(trigger.IsSuccessStatusCode, $"trigger answered {(int)trigger.StatusCode}\n{serve.Output}");
        waitFor(c, () => serve.Output);
    }

    private static NodaTime.LocalDate Day(string iso) => NodaTime.Text.LocalDatePattern.Iso.Parse(iso).GetValueOrThrow();

    /// <summary>A recurring job as Hangfire stored it: its Cron and Job fields.</summary>
    private static Dictionary<string, string> Recurring(Npgsql.NpgsqlConnection c, string id) =>
        c.Query<(string Field, string Value)>("SELECT field, value FROM hangfire.hash WHERE key = 'recurring-job:' || @id AND field IN ('Cron', 'Job')", new { id })
            .ToDictionary(r => r.Field, r => r.Value);

    /// <summary>The dashboard's "Trigger now" button, pressed by an operations user.</summary>
    private static async Task<HttpResponseMessage> TriggerRecurringJob(ServeProcess serve, string id)
    {
        using var operations = await DashboardUsers.SignedIn(serve, DashboardUsers.Operations);
        return await Dashboard.Press(operations, "/hangfire/recurring/trigger", ("jobs[]", id));
    }

    private static List<string> LogLines(string workDir)
    {
        var dir = Path.Combine(workDir, ".billing", "logs");
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var lines = new List<string>();
        foreach (var file in Directory.EnumerateFiles(dir, "billing-*.json"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }
}
