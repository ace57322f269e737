using System.Text.Json;
using Billing.Cli;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Scheduling;

namespace Billing.Integration.Tests.Jobs;

/// <summary>The one list of recurring jobs: complete, read from configuration, checked as Hangfire reads crons.</summary>
public sealed class ScheduleTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Every_job_class_of_the_jobs_assembly_is_either_scheduled_or_listed_as_manual_and_none_is_both()
    {
        var jobClasses = typeof(Schedules).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && (t.Name.EndsWith("Job", StringComparison.Ordinal) || t.Name.EndsWith("FanOut", StringComparison.Ordinal)))
            .ToHashSet();
        var scheduled = Schedules.Defaults.Select(s => s.Job).ToHashSet();

        Assert.Empty(jobClasses.Where(t => !scheduled.Contains(t) && !Schedules.Manual.ContainsKey(t)).Select(t => t.Name));
        Assert.Empty(scheduled.Intersect(Schedules.Manual.Keys).Select(t => t.Name));
        Assert.True(jobClasses.Count >= 10, $"only {jobClasses.Count} job classes found: is the naming rule still *Job?");
    }

    [Fact]
    public void The_defaults_are_todays_times_in_UTC_the_daily_bill_run_at_0300_and_dunning_at_0400()
    {
        var byId = Schedules.Resolve(null).ToDictionary(s => s.Id, s => (s.Cron, s.TimeZone));

        Assert.Equal(("* * * * *", "UTC"), byId[Schedules.PollDropFolder]);
        Assert.Equal(("*/15 * * * *", "UTC"), byId[Schedules.RateAll]);
        Assert.Equal(("* * * * *", "UTC"), byId[Schedules.DeliverNotifications]);
        Assert.Equal(("0 2 * * *", "UTC"), byId[Schedules.ExpireCredit]);
        Assert.Equal(("0 3 * * *", "UTC"), byId[Schedules.DailyBillRun]);
        Assert.Equal(("0 4 * * *", "UTC"), byId[Schedules.DailyDunning]);
        Assert.Equal(("5 * * * *", "UTC"), byId[Schedules.RecycleSuspense]);
    }

    [Theory]
    [InlineData("0 3 * * *", "UTC", "2026-11-29T09:00:00Z", "2026-11-30T03:00:00Z")]
    [InlineData("0 3 * * *", "Europe/London", "2026-11-29T09:00:00Z", "2026-11-30T03:00:00Z")]
    [InlineData("0 3 * * *", "Europe/London", "2026-07-01T09:00:00Z", "2026-07-02T02:00:00Z")]
    [InlineData("0 3 * * *", "Europe/Warsaw", "2026-11-29T09:00:00Z", "2026-11-30T02:00:00Z")]
    [InlineData("*/15 * * * *", "UTC", "2026-11-29T09:15:00Z", "2026-11-29T09:30:00Z")]
    [InlineData("30 * * * * *", "UTC", "2026-11-29T09:15:00Z", "2026-11-29T09:15:30Z")]
    public void The_next_run_is_the_first_after_now_read_in_the_schedules_zone(string cron, string zone, string now, string next) =>
        Assert.Equal(DateTime.Parse(next, null, System.Globalization.DateTimeStyles.AdjustToUniversal),
            CronSchedule.Next(cron, CronSchedule.Zone(zone)!, DateTime.Parse(now, null, System.Globalization.DateTimeStyles.AdjustToUniversal)));

    [Fact]
    public void A_configured_cron_and_zone_replace_the_default_of_that_job_only()
    {
        var path = _tmp.File("billing.json");
        File.WriteAllText(path, """{ "schedules": { "dunning:daily": { "cron": "30 6 * * 1-5", "timeZone": "Europe/Lisbon" }, "invoicing:daily-bill-run": { "timeZone": "Europe/London" } } }""");

        var byId = BillingConfig.Load(path).RecurringJobs().ToDictionary(s => s.Id, s => (s.Cron, s.TimeZone));

        Assert.Equal(("30 6 * * 1-5", "Europe/Lisbon"), byId[Schedules.DailyDunning]);
        Assert.Equal(("0 3 * * *", "Europe/London"), byId[Schedules.DailyBillRun]);
        Assert.Equal(("* * * * *", "UTC"), byId[Schedules.PollDropFolder]);
    }

    [Fact]
    public void A_bad_cron_an_unknown_zone_or_an_unknown_job_stops_any_command_with_exit_2_and_says_what_to_fix()
    {
        File.WriteAllText(_tmp.File("billing.json"), """{ "schedules": { "dunning:daily": { "cron": "0 25 * * *" }, "prepaid:expire-credit": { "timeZone": "Mars/Olympus" }, "rating:everything": { "cron": "* * * * *" } } }""");

        var (exit, stdout, stderr) = BillingProcess.Run(_tmp.Path, "schedules", "list");

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("schedules.dunning:daily.cron '0 25 * * *' is not a cron expression", stderr, StringComparison.Ordinal);
        Assert.Contains("Hours", stderr, StringComparison.Ordinal);
        Assert.Contains("schedules.prepaid:expire-credit.timeZone: unknown time zone 'Mars/Olympus'", stderr, StringComparison.Ordinal);
        Assert.Contains("schedules: no recurring job 'rating:everything'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Schedules_list_prints_each_jobs_configured_cron_zone_and_next_run_and_never_for_a_job_that_has_not_succeeded()
    {
        using var db = new DatabaseFixture();
        File.WriteAllText(_tmp.File("billing.json"), """{ "schedules": { "dunning:daily": { "cron": "0 6 * * *", "timeZone": "Europe/London" } } }""");

        var (exit, stdout, stderr) = BillingProcess.Run(_tmp.Path, "schedules", "list", "--json", "--db", db.ConnectionString);

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(Schedules.Defaults.Select(s => s.Id), rows.Select(r => r.GetProperty("id").GetString()));
        var dunning = rows.Single(r => r.GetProperty("id").GetString() == Schedules.DailyDunning);
        Assert.Equal(("0 6 * * *", "Europe/London"), (dunning.GetProperty("cron").GetString(), dunning.GetProperty("timeZone").GetString()));
        var next = TimeZoneInfo.ConvertTime(dunning.GetProperty("nextRun").GetDateTimeOffset(), TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        Assert.Equal((0, 6), (next.Minute, next.Hour)); // 06:00 in London: 06:00 UTC in winter, 05:00 in summer
        Assert.Equal(JsonValueKind.Null, dunning.GetProperty("lastSuccess").ValueKind);
    }
}
