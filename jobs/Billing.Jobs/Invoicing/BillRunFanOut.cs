using System.ComponentModel;
using Billing.Jobs.Documents;
using Billing.Storage;
using Billing.Storage.Invoicing;
using Hangfire;
using NodaTime;
using NodaTime.Text;

namespace Billing.Jobs.Invoicing;

/// <summary>
/// The bill run under `serve`: one Hangfire job per batch, so every worker takes a share. The
/// daily job plans the run of the cycles that ended and enqueues its draft batches; with
/// <see cref="InvoicingOptions.AutoApprove"/> the batch that finds every batch drafted asks for the
/// approval (once: <see cref="BillRunStore.ClaimApproval"/>), else a person approves
/// (`billing bill-run approve`, or <see cref="Approve"/> from the dashboard). Each approved batch's PDFs
/// are rendered by a <see cref="RenderDocumentsJob"/> continuation.
/// </summary>
public sealed class BillRunFanOut(BillingDatabase db, BillRunJob job, IBackgroundJobClient jobs, InvoicingOptions options)
{
    /// <summary>
    /// The daily recurring job: drafts the run of the cycles that ended <see cref="InvoicingOptions.DaysAfterCycleEnd"/> days ago
    /// (none after a 28th), and first those of the dates of the month before that have no run (the schedule missed them).
    /// </summary>
    [DisplayName("Bill run, daily drafts")]
    public void Daily()
    {
        foreach (var runDate in job.DailyRunDates())
        {
            Start(LocalDatePattern.Iso.Format(runDate), null, options.AutoApprove);
        }
    }

    [DisplayName("Bill run {0}: plan")]
    public void Start(string runDate, string? account, bool approve)
    {
        var planned = job.Plan(LocalDatePattern.Iso.Parse(runDate).GetValueOrThrow(), account, "schedule");
        foreach (var b in planned.Batches)
        {
            jobs.Enqueue<BillRunFanOut>(f => f.DraftBatch(planned.Run.Id, runDate, b.BatchNo, planned.Batches.Count, approve));
        }
    }

    /// <summary>One batch's drafts; <paramref name="runDate"/> is there for the job's name on the dashboard.</summary>
    [DisplayName("Bill run {1} batch {2}/{3}: draft")]
    public BatchOutcome DraftBatch(long runId, string runDate, int batchNo, int batches, bool approve)
    {
        var outcome = job.DraftBatch(runId, batchNo);
        using var conn = db.Open();
        // The claim commits once the approval's jobs are enqueued: a job killed in between claimed nothing, and its run again asks.
        using var tx = conn.BeginTransaction();
        // A batch gone from the plan asks for nothing: the new plan was made by another start, which decides on its approval.
        if (approve && !outcome.Gone && BillRunStore.ClaimApproval(tx, runId))
        {
            Approve(runId, runDate);
        }

        tx.Commit();
        return outcome;
    }

    [DisplayName("Bill run {1}: approve")]
    public void Approve(long runId, string runDate)
    {
        using var conn = db.Open();
        var batches = BillRunStore.Batches(conn, runId);
        foreach (var b in batches)
        {
            // The batch's PDFs are rendered once its approval succeeded (a continuation: any worker takes it).
            var approval = jobs.Enqueue<BillRunFanOut>(f => f.ApproveBatch(runId, runDate, b.BatchNo, batches.Count));
            jobs.ContinueJobWith<RenderDocumentsJob>(approval, r => r.RenderBatch(runId, runDate, b.BatchNo, batches.Count));
        }
    }

    [DisplayName("Bill run {1} batch {2}/{3}: approve")]
    public BatchOutcome ApproveBatch(long runId, string runDate, int batchNo, int batches) => job.ApproveBatch(runId, batchNo);
}
