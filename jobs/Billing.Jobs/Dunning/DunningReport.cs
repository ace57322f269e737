using Billing.Core.Dunning;
using NodaTime;

namespace Billing.Jobs.Dunning;

/// <summary>
/// What a dunning run decided (a dry run) or did: the accounts it looked at, and for each account
/// moved, its steps and reactivation. <see cref="Applied"/> lists only what this run recorded — a step
/// another run recorded first is not in it.
/// </summary>
public sealed record DunningReport(
    LocalDate AsOf,
    bool DryRun,
    long? RunId,
    int Accounts,
    IReadOnlyList<AccountDunning> Applied,
    IReadOnlyDictionary<string, int> SuspendedSubscriptions,
    IReadOnlyList<string> Reactivated,
    string? AgencyFile,
    string? NoPolicy)
{
    public IEnumerable<StepDue> Steps => Applied.SelectMany(a => a.Steps);

    public IReadOnlyDictionary<string, int> ActionsTaken =>
        Steps.Where(s => s.Outcome == StepOutcome.Take).GroupBy(s => s.Step.Action.Code()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public int Skipped => Steps.Count(s => s.Outcome == StepOutcome.Skip);

    public IReadOnlyDictionary<string, decimal> Fees =>
        Steps.Where(s => s.Fee.Amount > 0m).GroupBy(s => s.Fee.Currency.Code).ToDictionary(g => g.Key, g => g.Sum(s => s.Fee.Amount), StringComparer.Ordinal);

    public int Suspensions => SuspendedSubscriptions.Count;

    /// <summary>The run's counts, as the dashboard shows them on the job.</summary>
    public DunningCounts Counts() => new(AsOf.ToString("uuuu-MM-dd", System.Globalization.CultureInfo.InvariantCulture), RunId, Accounts, ActionsTaken, Skipped, Suspensions, Reactivated.Count, AgencyFile is not null);
}

/// <summary>A dunning run in numbers: accounts evaluated, steps taken by action, steps skipped, subscriptions suspended, accounts reactivated.</summary>
public sealed record DunningCounts(string AsOf, long? RunId, int Accounts, IReadOnlyDictionary<string, int> ActionsTaken, int Skipped, int Suspensions, int Reactivated, bool AgencyFile);
