using System.Data;
using Billing.Core.Cycles;
using Billing.Core.Invoicing;
using Billing.Jobs.Catalog;
using Billing.Storage;
using Billing.Storage.Invoicing;
using NodaTime;
using Serilog;

namespace Billing.Jobs.Invoicing;

/// <summary>What one batch did.</summary>
public sealed record BatchOutcome(int BatchNo, int Accounts, int Drafts, int Issued, int Changed, int WithErrors, int NothingToBill)
{
    /// <summary>
    /// The run has no such batch any more — planned again since, into fewer batches — so nothing was done: the new
    /// plan's batches hold every account still to bill.
    /// </summary>
    public bool Gone { get; init; }

    internal static BatchOutcome GoneFrom(long runId, int batchNo, string step)
    {
        Log.ForContext<BillRunJob>().Warning("Bill run #{Run} has no batch {Batch} any more (it was planned again): nothing to {Step}; the new plan's batches hold its accounts", runId, batchNo, step);
        return new BatchOutcome(batchNo, 0, 0, 0, 0, 0, 0) { Gone = true };
    }
}

/// <summary>A planned run: its batches of accounts and the accounts left out because their cycle has not ended yet.</summary>
public sealed record PlannedRun(BillRun Run, IReadOnlyList<PlannedBatch> Batches, IReadOnlyList<string> NotEnded);

/// <summary>
/// The bill run at cycle close. <see cref="Plan"/> picks the accounts whose cycle ends on the run
/// date (cycle day = its day, no issued invoice that billed the cycle or a later one) and splits them into batches;
/// <see cref="DraftBatch"/> computes a batch's invoices (load, pure calculation, save) as drafts;
/// <see cref="ApproveBatch"/> recomputes them while rating is held off, issues the unchanged ones
/// with gapless numbers and leaves the changed ones as drafts for a person. Every step is one
/// transaction per batch: a run killed at any point is resumed by running the same steps again.
/// </summary>
public sealed class BillRunJob(BillingDatabase db, CatalogCache catalogs, InvoicingOptions options, IClock clock)
{
    private readonly ILogger _log = Log.ForContext<BillRunJob>();

    /// <summary>
    /// Makes (or makes again) the run's batches: every account with cycle day = the date's day and no
    /// issued invoice for the cycle ending on it. Accounts whose local midnight of the run date is
    /// still to come are left out (their cycle has not ended); the usage of the closed cycles that is
    /// neither rated nor held is counted per account for the report.
    /// </summary>
    public PlannedRun Plan(LocalDate runDate, string? account, string by)
    {
        var cycle = BillCycle.EndingOn(runDate);
        using var conn = db.Open();
        var run = BillRunStore.Ensure(conn, runDate, by);
        var now = clock.GetCurrentInstant();

        // Decided per time zone (a few), so that the accounts themselves never leave the database.
        var zones = BillRunStore.EligibleZones(conn, runDate, cycle.Start, account);
        var ended = zones.Where(z => DateTimeZoneProviders.Tzdb[z].AtStartOfDay(runDate).ToInstant() <= now).ToList();
        var notEnded = BillRunStore.EligibleAccounts(conn, runDate, cycle.Start, account, [.. zones.Except(ended, StringComparer.Ordinal)]);
        (string, Instant, Instant) CycleIn(string zone)
        {
            var interval = cycle.ToInterval(DateTimeZoneProviders.Tzdb[zone]);
            return (zone, interval.Start, interval.End);
        }

        var unrated = BillRunStore.UnratedUsage(conn, runDate, cycle.Start, account, [.. zones.Select(CycleIn)]);
        var batches = BillRunStore.Plan(conn, run.Id, runDate, cycle.Start, account, ended, options.BatchSize, unrated);
        _log.Information("Bill run {RunDate} (#{Run}): {Accounts} accounts in {Batches} batches; {NotEnded} not ended yet; {Unrated} accounts with unrated usage",
            runDate, run.Id, batches.Sum(b => b.Accounts), batches.Count, notEnded.Count, unrated.Count);
        return new PlannedRun(run with { PlannedAt = now }, batches, notEnded);
    }

    /// <summary>Computes the batch's invoices and stores them as drafts, replacing earlier drafts of the same cycles.</summary>
    public BatchOutcome DraftBatch(long runId, int batchNo)
    {
        using var conn = db.Open();
        using var tx = conn.BeginTransaction(IsolationLevel.RepeatableRead);
        if (BillRunStore.LockBatch(tx, runId, batchNo) is not { } batch)
        {
            return BatchOutcome.GoneFrom(runId, batchNo, "draft");
        }

        var run = RunOf(conn, runId);
        // Planned before some of its accounts were issued (the job run again after the approval, or a second run at
        // the same time): those are billed, and a draft beside their issued invoice would bill the cycle twice.
        var accounts = InvoiceStore.NotIssued(tx, batch.Accounts, BillCycle.EndingOn(run.RunDate).Start);
        var (drafts, nothing) = Compute(tx, run.RunDate, accounts, BillRunStore.Unrated(conn, runId));
        InvoiceStore.SaveDrafts(tx, runId, [.. drafts.Select(d => d.Save)]);
        BillRunStore.MarkDrafted(tx, runId, batchNo);
        tx.Commit();
        var outcome = new BatchOutcome(batchNo, batch.Accounts.Length, drafts.Count, 0, 0, drafts.Count(d => !d.Save.Draft.CanBeIssued), nothing);
        _log.Information("Bill run #{Run} batch {Batch}: {Drafts} drafts ({Errors} with errors), {Nothing} accounts with nothing to bill",
            runId, batchNo, outcome.Drafts, outcome.WithErrors, nothing);
        return outcome;
    }

    /// <summary>
    /// Issues the batch's drafts. Rating is held off (its partition locks, shared with the approvals of
    /// other batches, which then only queue for the invoice numbers) and the accounts locked, so
    /// what is recomputed is what is billed; a draft whose figures changed since it was computed is
    /// replaced and left for a person (changed since the draft), one with errors stays a draft, the
    /// others get their numbers and become immutable, with what they bill marked invoiced.
    /// </summary>
    public BatchOutcome ApproveBatch(long runId, int batchNo)
    {
        using var conn = db.Open();
        Billing.Storage.Rating.RatingPartitions.ShareAll(conn);
        try
        {
            using var tx = conn.BeginTransaction();
            if (BillRunStore.LockBatch(tx, runId, batchNo) is not { } batch)
            {
                return BatchOutcome.GoneFrom(runId, batchNo, "approve");
            }

            var run = RunOf(conn, runId);
            var cycle = BillCycle.EndingOn(run.RunDate);
            var stored = InvoiceStore.LockDrafts(tx, batch.Accounts, cycle.Start).ToDictionary(d => d.AccountId, StringComparer.Ordinal);
            var (drafts, _) = Compute(tx, run.RunDate, [.. stored.Keys], BillRunStore.Unrated(conn, runId));
            var changed = drafts.Where(d => InvoiceFingerprint.Of(d.Save.Draft) != stored[d.Save.Draft.AccountId].Fingerprint).ToList();
            var issuable = drafts.Except(changed).Where(d => d.Save.Draft.CanBeIssued).ToList();
            if (changed.Count > 0)
            {
                InvoiceStore.MarkChanged(tx, InvoiceStore.SaveDrafts(tx, runId, [.. changed.Select(d => d.Save)]));
            }

            var issues = new List<(long, string, InvoiceDraft, IssuedInputs)>();
            var format = new InvoiceNumberFormat(options.InvoiceNumbers);
            foreach (var year in issuable.GroupBy(d => format.CounterYear(d.Save.Draft.IssueDate.Year)).OrderBy(g => g.Key))
            {
                var inOrder = year.OrderBy(d => d.Save.Draft.AccountId, StringComparer.Ordinal).ToList();
                var first = InvoiceStore.TakeNumbers(tx, "invoice", year.Key, inOrder.Count);
                issues.AddRange(inOrder.Select((d, i) => (stored[d.Save.Draft.AccountId].Id, format.Format(d.Save.Draft.IssueDate.Year, first + i), d.Save.Draft, d.Billed)));
            }

            InvoiceStore.Issue(tx, issues);
            ReceivablesStore.AllocateCredit(tx, [.. issues.Select(i => i.Item3.AccountId)]);
            BillRunStore.MarkApproved(tx, runId, batchNo);
            tx.Commit();
            var outcome = new BatchOutcome(batchNo, batch.Accounts.Length, drafts.Count, issues.Count, changed.Count, drafts.Count(d => !d.Save.Draft.CanBeIssued), 0);
            _log.Information("Bill run #{Run} batch {Batch}: {Issued} issued, {Changed} changed since the draft, {Errors} with errors left as drafts",
                runId, batchNo, outcome.Issued, outcome.Changed, outcome.WithErrors);
            return outcome;
        }
        finally
        {
            Billing.Storage.Rating.RatingPartitions.UnshareAll(conn);
        }
    }

    /// <summary>Drafts every batch of a planned run, one after the other (the command line; `serve` fans them out as jobs).</summary>
    public IReadOnlyList<BatchOutcome> DraftAll(long runId, Action<int, int>? progress = null)
    {
        using var conn = db.Open();
        var batches = BillRunStore.BatchNumbers(conn, runId);
        var outcomes = new List<BatchOutcome>();
        foreach (var b in batches)
        {
            outcomes.Add(DraftBatch(runId, b));
            progress?.Invoke(outcomes.Count, batches.Count);
        }

        return outcomes;
    }

    /// <summary>Approves every batch of the run (a batch with no draft left does nothing).</summary>
    public IReadOnlyList<BatchOutcome> ApproveAll(long runId, Action<int, int>? progress = null)
    {
        using var conn = db.Open();
        var batches = BillRunStore.BatchNumbers(conn, runId);
        var outcomes = new List<BatchOutcome>();
        foreach (var b in batches)
        {
            outcomes.Add(ApproveBatch(runId, b));
            progress?.Invoke(outcomes.Count, batches.Count);
        }

        return outcomes;
    }

    /// <summary>Drops the run's drafts (issued invoices stay as they are); the next `bill-run DATE` computes them again.</summary>
    public int Discard(long runId)
    {
        using var conn = db.Open();
        var dropped = InvoiceStore.DiscardDrafts(conn, runId);
        BillRunStore.ResetDrafted(conn, runId);
        _log.Information("Bill run #{Run}: {Dropped} drafts discarded", runId, dropped);
        return dropped;
    }

    /// <summary>
    /// The dates whose runs the daily job makes (<see cref="DailyBillRuns"/>): today (UTC) less the configured days, so every
    /// zone's cycle has ended — none after a 28th, on which no cycle ends (cycle days are 1–28) — after the dates of the
    /// month before it that the schedule missed, oldest first.
    /// </summary>
    public IReadOnlyList<LocalDate> DailyRunDates()
    {
        var target = clock.GetCurrentInstant().InUtc().Date.PlusDays(-options.DaysAfterCycleEnd);
        using var conn = db.Open();
        var (first, made) = BillRunStore.RunDates(conn, target.PlusDays(-DailyBillRuns.CatchUpDays));
        var dates = DailyBillRuns.Dates(target, first, made);
        if (dates.Count > 1 || (dates.Count == 1 && dates[0] != target))
        {
            _log.Warning("Daily bill run: {Missed} date(s) the schedule missed are planned now: {Dates}", dates.Count(d => d != target), dates.Where(d => d != target));
        }

        return dates;
    }

    private static BillRun RunOf(Npgsql.NpgsqlConnection conn, long runId) =>
        BillRunStore.Find(conn, runId.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? throw new InvalidOperationException($"no bill run #{runId}");

    private (List<(DraftToSave Save, IssuedInputs Billed)> Drafts, int NothingToBill) Compute(Npgsql.NpgsqlTransaction tx, LocalDate runDate, IReadOnlyList<string> accounts, IReadOnlyDictionary<string, long> unrated)
    {
        var cycle = BillCycle.EndingOn(runDate);
        var inputs = InvoiceInputStore.Load(tx, accounts, cycle.Start, cycle.End, cycle.Next.End);
        var drafts = new List<(DraftToSave, IssuedInputs)>();
        var nothing = 0;
        // The catalogue in force when the cycle closes: once per time zone, not per account.
        var catalogIn = new Dictionary<string, Billing.Core.Catalog.TariffCatalog?>(StringComparer.Ordinal);
        foreach (var account in inputs.Accounts)
        {
            if (!catalogIn.TryGetValue(account.TimeZone, out var catalog))
            {
                var closes = DateTimeZoneProviders.Tzdb[account.TimeZone].AtStartOfDay(runDate).ToInstant();
                catalog = catalogIn[account.TimeZone] = catalogs.InForce(tx.Connection!, closes)?.Catalog;
            }

            var request = InvoiceRequests.For(account, inputs, catalog, runDate, unrated.GetValueOrDefault(account.Id), options);
            var draft = InvoiceCalculator.Calculate(request.Request);
            if (draft.Lines.Count == 0 && request.Errors.Count == 0)
            {
                nothing++;
                continue;
            }

            draft = draft with { Warnings = [.. draft.Warnings, .. request.Warnings], Errors = [.. draft.Errors, .. request.Errors] };
            drafts.Add((new DraftToSave(draft, request.PreviousTotal, request.OverdraftThrough), request.Billed));
        }

        return (drafts, nothing);
    }
}
