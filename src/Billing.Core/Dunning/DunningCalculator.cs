using NodaTime;

namespace Billing.Core.Dunning;

/// <summary>
/// An issued invoice of the account: when it fell due, its total, what payments and credit notes
/// have settled of it (its allocations), and whether it is in dispute (held out of the ladder).
/// </summary>
public sealed record DunningItem(long InvoiceId, string Number, LocalDate IssueDate, LocalDate DueDate, Money.Money Total, Money.Money Settled, bool Held = false)
{
    public Money.Money Outstanding => Total - Settled;
}

/// <summary>A step already recorded for an invoice, taken or skipped: it never happens again for that invoice.</summary>
public sealed record StepRecorded(long InvoiceId, string StepId);

/// <summary>
/// Everything the ladder needs of one account: its segment, its issued invoices with what settled
/// them, money paid or credited and not yet put against an invoice, the promise to pay in force
/// (paused until that date, inclusive), whether dunning has its service suspended, and the steps
/// already recorded.
/// </summary>
public sealed record DunningAccount(
    string AccountId,
    string Segment,
    Money.Currency Currency,
    IReadOnlyList<DunningItem> Items,
    Money.Money UnallocatedCredit,
    IReadOnlyList<StepRecorded> Recorded,
    LocalDate? PausedUntil = null,
    bool Suspended = false);

/// <summary>Whether a step due is done now or recorded as skipped (missed while the run did not run, or passed over by a higher one).</summary>
public enum StepOutcome
{
    Take,
    Skip,
}

/// <summary>One step of one invoice's ladder, due on the run's date.</summary>
/// <param name="Overdue">what the invoice still owes; <paramref name="Fee"/> the fee a fee step charges (zero for others).</param>
public sealed record StepDue(DunningItem Invoice, DunningStep Step, StepOutcome Outcome, int DaysPastDue, Money.Money Overdue, Money.Money Fee);

/// <summary>Why an account with something overdue is not moved along today.</summary>
public enum DunningStop
{
    None,

    /// <summary>Nothing past its due date is owed (or what is owed is disputed).</summary>
    NothingOverdue,

    /// <summary>What is overdue is below the policy's minimum.</summary>
    BelowMinimum,

    /// <summary>A promise to pay holds until a date not yet passed.</summary>
    Paused,

    /// <summary>No policy for its segment and no default.</summary>
    NoPolicy,
}

/// <summary>What the run does for one account: the steps due (taken and skipped), and whether its suspension is lifted.</summary>
/// <param name="Overdue">the account's overdue amount: past-due outstanding of invoices not in dispute, less unallocated credit (never below zero).</param>
public sealed record AccountDunning(string AccountId, LocalDate AsOf, Money.Money Overdue, IReadOnlyList<StepDue> Steps, bool Reactivate, DunningStop Stop)
{
    public bool HasWork => Steps.Count > 0 || Reactivate;
}

/// <summary>
/// The ladder (compute, then apply: the dunning job records and performs what this returns). Pure:
/// the date is given, nothing is read.
/// <list type="bullet">
/// <item>An invoice is overdue on the day after its due date while something of it is outstanding; a
/// step of <c>Days</c> is due once it is that many days past due.</item>
/// <item>Each invoice climbs its own ladder; a step recorded for it (taken or skipped) never comes
/// again. Of the steps due and not recorded, only those of the highest day are taken; the lower ones
/// are recorded as skipped, so a run missed for a week does not send a burst.</item>
/// <item>Nothing moves while a promise to pay holds (through its date), for an invoice in dispute, or
/// when the account's overdue amount is below the policy's minimum; when it ends unpaid, the step due
/// then is taken and those passed are skipped.</item>
/// <item>An account that dunning suspended is reactivated once nothing is overdue (a partial payment
/// keeps it suspended, at its step); a credit note that settles counts as a payment.</item>
/// </list>
/// </summary>
public static class DunningCalculator
{
    public static AccountDunning Decide(DunningAccount account, DunningPolicies policies, LocalDate asOf)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(policies);
        var zero = Money.Money.Zero(account.Currency);
        var overdueItems = account.Items.Where(i => !i.Held && i.DueDate < asOf && i.Outstanding.Amount > 0m).ToList();
        var owed = overdueItems.Aggregate(zero, (sum, i) => sum + i.Outstanding) - account.UnallocatedCredit;
        var overdue = owed.Amount > 0m ? owed : zero;
        var reactivate = account.Suspended && overdue.Amount == 0m;

        AccountDunning Result(DunningStop stop, IReadOnlyList<StepDue>? steps = null) =>
            new(account.AccountId, asOf, overdue, steps ?? [], reactivate, stop);

        if (overdue.Amount == 0m)
        {
            return Result(DunningStop.NothingOverdue);
        }

        if (policies.For(account.Segment) is not { } policy)
        {
            return Result(DunningStop.NoPolicy);
        }

        if (account.PausedUntil is { } until && asOf <= until)
        {
            return Result(DunningStop.Paused);
        }

        if (overdue.Amount < policy.MinimumOverdue)
        {
            return Result(DunningStop.BelowMinimum);
        }

        var recorded = account.Recorded.Select(r => (r.InvoiceId, r.StepId)).ToHashSet();
        var steps = new List<StepDue>();
        foreach (var item in overdueItems.OrderBy(i => i.DueDate).ThenBy(i => i.Number, StringComparer.Ordinal))
        {
            var days = Period.Between(item.DueDate, asOf, PeriodUnits.Days).Days;
            var due = policy.Steps.Where(s => s.Days <= days && !recorded.Contains((item.InvoiceId, s.Id))).ToList();
            if (due.Count == 0)
            {
                continue;
            }

            var top = policy.Steps.Where(s => s.Days <= days).Max(s => s.Days);
            foreach (var step in due)
            {
                var outcome = step.Days == top ? StepOutcome.Take : StepOutcome.Skip;
                var fee = outcome == StepOutcome.Take && step.Fee is { } rule ? rule.On(item.Outstanding) : zero;
                steps.Add(new StepDue(item, step, outcome, days, item.Outstanding, fee));
            }
        }

        return Result(DunningStop.None, steps);
    }
}
