using Billing.Jobs.Mediation;
using Hangfire;

namespace Billing.Jobs;

/// <summary>The one list of recurring jobs. Ids are stable so re-registering updates, never duplicates.</summary>
public static class Schedules
{
    public const string PollDropFolder = "mediation:poll-drop-folder";

    /// <summary>The sweep behind the per-file continuations: held usage whose cause is gone, anything a busy run skipped.</summary>
    public const string RateAll = "rating:rate-all";

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

    public static void Register(IRecurringJobManager jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        jobs.AddOrUpdate<IngestDropFolderJob>(PollDropFolder, j => j.Poll(), Cron.Minutely());
        jobs.AddOrUpdate<Rating.RateUsageJob>(RateAll, j => j.Run(), "*/15 * * * *");
        jobs.AddOrUpdate<Prepaid.ExpireCreditJob>(ExpireCredit, j => j.Run(), Cron.Daily(2));
        jobs.AddOrUpdate<Notifications.DeliverNotificationsJob>(DeliverNotifications, j => j.Run(), Cron.Minutely());
        jobs.AddOrUpdate<Invoicing.BillRunFanOut>(DailyBillRun, j => j.Daily(), Cron.Daily(3));
        jobs.AddOrUpdate<Dunning.DunningJob>(DailyDunning, j => j.Daily(), Cron.Daily(4));
    }
}
