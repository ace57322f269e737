using Billing.Core.Reconciliation;
using Billing.Storage;
using Billing.Storage.Reconciliation;
using NodaTime;
using Serilog;

namespace Billing.Jobs.Reconciliation;

/// <summary>
/// Revenue assurance for the cycles that ended on a date: reads each link of the chain on one
/// snapshot of the database (<see cref="ReconcileStore"/>) and lets the pure checks decide
/// (<see cref="MediationCheck"/>, <see cref="RatingCheck"/>, <see cref="InvoicingCheck"/>,
/// <see cref="InvoiceSumsCheck"/>). Reads only: it changes nothing.
/// </summary>
public sealed class ReconcileJob(BillingDatabase db)
{
    public ReconcileReport Run(LocalDate cycleEnd, int limit = DifferenceLog.DefaultLimit)
    {
        using var conn = db.Open();
        using var tx = ReconcileStore.Snapshot(conn);
        var log = new DifferenceLog(limit);
        var scope = ReconcileStore.Scope(tx, cycleEnd);

        var recycled = ReconcileStore.RecycledWithoutUsage(tx);
        var mediation = MediationCheck.Record(ReconcileStore.Files(tx), recycled, log);

        var (counts, chargesWithoutUsage, examples) = ReconcileStore.Usage(tx, cycleEnd);
        var rating = RatingCheck.Record(counts, chargesWithoutUsage, examples, log);

        var invoices = ReconcileStore.Invoices(tx, cycleEnd);
        var unrecorded = ReconcileStore.UnrecordedCycles(tx, cycleEnd);
        var invoicing = InvoicingCheck.Record(ReconcileStore.Lines(tx, cycleEnd), ReconcileStore.ChargeStates(tx, cycleEnd), unrecorded, invoices.Issued, invoices.DraftsWaiting, log);

        var sums = InvoiceSumsCheck.Record(ReconcileStore.Sums(tx, cycleEnd), log);
        tx.Commit();

        var report = new ReconcileReport(scope, mediation, rating, invoicing, sums, log.First, log.Count);
        Log.ForContext<ReconcileJob>().Information("Reconcile of the cycles ending {CycleEnd}: {Differences} difference(s)", cycleEnd, report.DifferenceCount);
        return report;
    }
}
