using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Cli.Hosting;
using Billing.Jobs.Scheduling;

namespace Billing.Cli.Commands;

/// <summary>billing schedules list: the recurring jobs serve runs, as configured, with their next run and last success.</summary>
public static class ScheduleCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var list = new Command("list", "The recurring jobs of billing serve: id, cron, time zone, next run and last success (UTC); set in billing.json under schedules");
        list.SetAction(p => cli.Run(p, g => List(g, Console.Out)));
        return new Command("schedules", "The recurring jobs of billing serve and when they run") { list };
    }

    public static int List(GlobalOptions g, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var rt = Runtime.Start(g);
        var now = rt.Jobs.Clock.GetCurrentInstant().ToDateTimeUtc();
        var successes = LastSuccesses(rt.Db.ConnectionString);
        var rows = rt.Config.RecurringJobs().Select(s => new
        {
            id = s.Id,
            cron = s.Cron,
            timeZone = s.TimeZone,
            nextRun = CronSchedule.Next(s.Cron, CronSchedule.Zone(s.TimeZone)!, now),
            lastSuccess = successes.TryGetValue(s.Id, out var t) ? t : (DateTime?)null,
            description = s.Description,
        }).ToList();
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(rows, BillingConfig.Json));
            return 0;
        }

        var table = new TextTable("id", "cron", "zone", "next run (UTC)", "last success (UTC)", "what");
        foreach (var r in rows)
        {
            table.Add(r.id, r.cron, r.timeZone, Utc(r.nextRun) ?? "never", Utc(r.lastSuccess) ?? "never", r.description);
        }

        output.Write(table.ToString());
        output.WriteLine($"Not scheduled: {string.Join("; ", Schedules.Manual.Select(m => $"{m.Key.Name}: {m.Value}"))}.");
        return 0;
    }

    private static string? Utc(DateTime? t) => t?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The successes serve recorded in Hangfire's storage; none if serve has never run on this database.</summary>
    private static IReadOnlyDictionary<string, DateTime> LastSuccesses(string connectionString)
    {
        try
        {
            using var connection = HangfireStorage.Reader(connectionString).GetConnection();
            return LastSuccessFilter.Read(connection);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState is Npgsql.PostgresErrorCodes.UndefinedTable or Npgsql.PostgresErrorCodes.InvalidSchemaName)
        {
            return new Dictionary<string, DateTime>();
        }
    }
}
