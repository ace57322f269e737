using System.Linq.Expressions;
using Billing.Jobs.Documents;
using Billing.Jobs.Dunning;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Mediation;
using Billing.Jobs.Notifications;
using Billing.Jobs.Prepaid;
using Billing.Jobs.Rating;
using Billing.Jobs.Reconciliation;
using Hangfire;

namespace Billing.Jobs.Scheduling;

/// <summary>One recurring job's cron and time zone as the configuration may set them (<c>schedules</c> in billing.json); a missing field keeps the default.</summary>
public sealed record ScheduleSetting
{
    /// <summary>5 fields (minute hour day month weekday), or 6 with seconds first.</summary>
    public string? Cron { get; init; }

    /// <summary>An IANA time zone the cron is read in, e.g. Europe/London; default UTC.</summary>
    public string? TimeZone { get; init; }
}

/// <summary>A recurring job as it runs: its id, what it does, when, in which zone.</summary>
public sealed record Schedule(string Id, string Description, Type Job, string Cron, string TimeZone);

/// <summary>
/// The one list of recurring jobs, and of the job classes that are not recurring and why. Ids are
/// stable so re-registering updates, never duplicates. Each cron and zone has a default here and
/// may be set in configuration (<c>schedules</c>: id → cron, timeZone).
/// </summary>
public static class Schedules
{
    public const string PollDropFolder = "mediation:poll-drop-folder";

    /// <summary>The sweep behind the per-file continuations: held usage whose cause is gone, anything a busy run skipped.</summary>
    public const string RateAll = "rating:rate-all";

    /// <summary>Open suspense through mediation again, when the sources' configuration changed since the last recycle.</summary>
    public const string RecycleSuspense = "mediation:recycle-suspense";

    /// <summary>Prepaid credit past its expiry days, daily at 02:00 UTC.</summary>
    public const string ExpireCredit = "prepaid:expire-credit";

    /// <summary>Delivers due outbox messages; failed attempts wait for their own backoff.</summary>
    public const string DeliverNotifications = "notifications:deliver";

    /// <summary>
    /// The draft bill run of the cycles that ended (invoicing.daysAfterCycleEnd days ago), daily at 03:00 UTC, after
    /// the night's rating sweep; a person approves it unless invoicing.autoApprove says otherwise.
    /// </summary>
    public const string DailyBillRun = "invoicing:daily-bill-run";

    /// <summary>The dunning run of the day (UTC date), daily at 04:00 UTC: after the night's bill run, so that today's payments and credit notes count.</summary>
    public const string DailyDunning = "dunning:daily";

    public const string DefaultTimeZone = "UTC";

    private sealed record Entry(string Id, string Description, Type Job, string Cron, Action<IRecurringJobManager, Schedule, RecurringJobOptions> Add);

    private static Entry Of<TJob>(string id, string description, string cron, Expression<Action<TJob>> call) =>
        new(id, description, typeof(TJob), cron, (m, s, o) => m.AddOrUpdate(s.Id, call, s.Cron, o));

    private static readonly IReadOnlyList<Entry> Entries =
    [
        Of<IngestDropFolderJob>(PollDropFolder, "Look at the drop folder and enqueue one ingest per ready file", Cron.Minutely(), j => j.Poll()),
        Of<RateUsageJob>(RateAll, "Rate usage not rated yet and held usage whose cause is gone", "*/15 * * * *", j => j.Run()),
        Of<RecycleSuspenseJob>(RecycleSuspense, "Recycle open suspense after a change of the sources' configuration", "5 * * * *", j => j.AfterConfigurationChange(null)),
        Of<DeliverNotificationsJob>(DeliverNotifications, "Deliver due notifications", Cron.Minutely(), j => j.Run()),
        Of<ExpireCreditJob>(ExpireCredit, "Expire prepaid credit past its expiry days", Cron.Daily(2), j => j.Run()),
        Of<BillRunFanOut>(DailyBillRun, "Draft bill run of the cycles that ended", Cron.Daily(3), j => j.Daily()),
        Of<DunningJob>(DailyDunning, "Dunning run of the day", Cron.Daily(4), j => j.Daily()),
    ];

    /// <summary>The job classes no schedule runs, and what runs them instead.</summary>
    public static IReadOnlyDictionary<Type, string> Manual { get; } = new Dictionary<Type, string>
    {
        [typeof(IngestFileJob)] = "enqueued by the drop-folder poll, one per ready file (billing ingest from the command line)",
        [typeof(BillRunJob)] = "the bill run's steps, run by BillRunFanOut under serve and by billing bill-run",
        [typeof(RenderDocumentsJob)] = "a continuation of each approved bill-run batch; billing invoices render",
        [typeof(ReconcileJob)] = "billing reconcile",
    };

    /// <summary>Every recurring job's id and default cron, in the order they are listed.</summary>
    public static IReadOnlyList<Schedule> Defaults { get; } = [.. Entries.Select(e => new Schedule(e.Id, e.Description, e.Job, e.Cron, DefaultTimeZone))];

    /// <summary>The recurring jobs with the configuration's settings over the defaults (call <see cref="Problems"/> first).</summary>
    public static IReadOnlyList<Schedule> Resolve(IReadOnlyDictionary<string, ScheduleSetting>? settings) =>
        [.. Defaults.Select(d => settings?.GetValueOrDefault(d.Id) is { } s ? d with { Cron = s.Cron ?? d.Cron, TimeZone = s.TimeZone ?? d.TimeZone } : d)];

    /// <summary>What is wrong with the configuration's schedules, in words an operator can act on.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyDictionary<string, ScheduleSetting>? settings)
    {
        var problems = new List<string>();
        foreach (var id in (settings?.Keys ?? []).Where(k => Defaults.All(d => d.Id != k)))
        {
            problems.Add($"schedules: no recurring job '{id}' (the ids are {string.Join(", ", Defaults.Select(d => d.Id))})");
        }

        foreach (var s in Resolve(settings))
        {
            if (CronSchedule.Problem(s.Cron) is { } cron)
            {
                problems.Add($"schedules.{s.Id}.cron '{s.Cron}' is not a cron expression: {cron} (5 fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\"; or 6 with seconds first)");
            }

            if (CronSchedule.Zone(s.TimeZone) is null)
            {
                problems.Add($"schedules.{s.Id}.timeZone: unknown time zone '{s.TimeZone}' (an IANA id, e.g. UTC, Europe/London, America/New_York)");
            }
        }

        return problems;
    }

    /// <summary>Registers (or updates) every recurring job with its schedule.</summary>
    public static void Register(IRecurringJobManager jobs, IReadOnlyList<Schedule> schedules)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(schedules);
        foreach (var s in schedules)
        {
            var entry = Entries.Single(e => e.Id == s.Id);
            entry.Add(jobs, s, new RecurringJobOptions { TimeZone = CronSchedule.Zone(s.TimeZone) ?? throw new ArgumentException($"unknown time zone '{s.TimeZone}'", nameof(schedules)) });
        }
    }
}
