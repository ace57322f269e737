using NodaTime;

namespace Billing.Core.Reconciliation;

/// <summary>The accounts whose cycle ended: cycle day = the end date's day, the cycle [end − 1 month, end) in each one's zone.</summary>
public sealed record ReconcileScope(LocalDate CycleStart, LocalDate CycleEnd, long PostpaidAccounts, long PrepaidAccounts);

/// <summary>
/// What `billing reconcile` proved for the cycles ending on one date: a summary of each link and the
/// first differences (all counted). Reconciled when there is none; charges not billed yet are no difference.
/// </summary>
public sealed record ReconcileReport(
    ReconcileScope Scope,
    MediationSummary Mediation,
    RatingSummary Rating,
    InvoicingSummary Invoicing,
    SumsSummary Sums,
    IReadOnlyList<ChainDifference> Differences,
    long DifferenceCount)
{
    public bool Reconciled => DifferenceCount == 0;

    /// <summary>How many differences were found beyond the ones listed.</summary>
    public long MoreDifferences => DifferenceCount - Differences.Count;
}
