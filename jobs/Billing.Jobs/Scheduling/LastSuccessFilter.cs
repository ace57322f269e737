using System.Globalization;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace Billing.Jobs.Scheduling;

/// <summary>
/// Records when each recurring job last succeeded (Hangfire keeps its last run, whatever became of
/// it, not its last success): one field per schedule id in a hash of Hangfire's own storage, written
/// in the transaction that marks the job succeeded. Read by `billing schedules list` and /health.
/// Register it once, on the server.
/// </summary>
public sealed class LastSuccessFilter(NodaTime.IClock clock) : IApplyStateFilter
{
    public const string Hash = "billing:last-success";

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transaction);
        if (context.NewState is not SucceededState)
        {
            return;
        }

        var raw = context.Connection.GetJobParameter(context.BackgroundJob.Id, "RecurringJobId");
        if (raw is { Length: > 0 } && SerializationHelper.Deserialize<string>(raw) is { Length: > 0 } id)
        {
            transaction.SetRangeInHash(Hash, [new KeyValuePair<string, string>(id, clock.GetCurrentInstant().ToDateTimeUtc().ToString("O", CultureInfo.InvariantCulture))]);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }

    /// <summary>The last success of every recurring job that has one, by schedule id (UTC).</summary>
    public static IReadOnlyDictionary<string, DateTime> Read(IStorageConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (connection.GetAllEntriesFromHash(Hash) ?? new Dictionary<string, string>())
            .ToDictionary(e => e.Key, e => DateTime.Parse(e.Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), StringComparer.Ordinal);
    }
}
