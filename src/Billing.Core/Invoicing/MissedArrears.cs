using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Money;
using NodaTime;

namespace Billing.Core.Invoicing;

/// <summary>
/// Fees in arrears of a cycle no bill run closed (its run not made, nor caught up): an invoice bills the fees in arrears of its
/// own cycle only, so those of a missed cycle are billed by no invoice. Usage and advance fees of such a cycle are caught up;
/// these are not, so the draft says what they come to (fee × days on the plan / days of the cycle, rounded once per cycle)
/// for a person to charge them.
/// </summary>
public static class MissedArrears
{
    public static IEnumerable<InvoiceWarning> Warnings(
        IEnumerable<BillCycle> missed, IReadOnlyList<SubscriptionPeriod> periods, Func<string, IReadOnlyList<RecurringFee>> feesOf, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(missed);
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentNullException.ThrowIfNull(feesOf);
        foreach (var cycle in missed.OrderBy(c => c.Start))
        {
            var exact = 0m;
            foreach (var period in periods)
            {
                var from = period.From > cycle.Start ? period.From : cycle.Start;
                var to = period.To is { } end && end < cycle.End ? end : cycle.End;
                if (to > from)
                {
                    exact += feesOf(period.PlanId).Where(f => f.Billing == FeeBilling.Arrears).Sum(f => f.Amount * Period.DaysBetween(from, to) / cycle.Days);
                }
            }

            var amount = new Money.Money(exact, currency).RoundToMinorUnit();
            if (amount.Amount != 0m)
            {
                yield return new InvoiceWarning(InvoiceWarningCode.FeesInArrearsNotBilled,
                    $"no invoice bills the fees in arrears of {PeriodText.Days(cycle.Start, cycle.End)} ({amount.ToMinorUnitString()}): the run of {cycle.End:uuuu-MM-dd} was not made");
            }
        }
    }
}
