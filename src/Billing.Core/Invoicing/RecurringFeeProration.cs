using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Money;
using NodaTime;

namespace Billing.Core.Invoicing;

/// <summary>
/// Recurring fees by local days. The window of a fee is the closed cycle C (arrears) or C and the
/// next cycle N (advance: N is billed ahead, and days of C not billed yet are caught up). For each
/// (subscription, plan, fee) a day of the window is <em>due</em> when a subscription period puts the
/// subscription on that plan that day, and <em>billed</em> when an earlier invoice's recurring line
/// covers it. Due but not billed → a charge of fee × days / days of that cycle; billed but no longer
/// due (termination, plan change) → a credit of the earlier line's amount × days / its days, so a
/// line credited in full is reversed exactly. One line per run of consecutive days within one cycle
/// (and one earlier line, and one MSISDN), each rounded once.
/// </summary>
internal static class RecurringFeeProration
{
    public static IEnumerable<InvoiceLine> Lines(InvoiceRequest request)
    {
        var currency = request.Account.Currency;
        var keys = request.Subscriptions
            .SelectMany(p => Fees(request, p.PlanId).Select(f => (p.SubscriptionId, p.PlanId, FeeId: f.Id)))
            .Concat(request.IssuedRecurring.Select(l => (l.SubscriptionId, l.PlanId, l.FeeId)))
            .Distinct()
            .ToList();
        var creditedBefore = new List<(string Msisdn, LocalDate From, LocalDate To)>();
        foreach (var (subscriptionId, planId, feeId) in keys)
        {
            var fee = Fees(request, planId).FirstOrDefault(f => f.Id == feeId);
            var periods = fee is null ? [] : request.Subscriptions.Where(p => p.SubscriptionId == subscriptionId && p.PlanId == planId).ToList();
            var billed = request.IssuedRecurring.Where(l => l.SubscriptionId == subscriptionId && l.PlanId == planId && l.FeeId == feeId).ToList();
            var window = fee?.Billing == FeeBilling.Arrears ? [request.Cycle] : new[] { request.Cycle, request.Cycle.Next };
            // Days before the window that earlier invoices billed and that are no longer due (a termination or plan change
            // backdated past them) are credited now: no later window holds them. Before the window only the period that replaced a
            // credited one on its number is charged, for those days (Replacing).
            var earliest = billed.Select(l => l.From).DefaultIfEmpty(request.Cycle.Start).Min();
            var before = earliest < request.Cycle.Start ? Runs(new BillCycle(earliest, request.Cycle.Start), periods, billed).Where(r => r.Action.Credited is not null) : [];
            foreach (var run in before)
            {
                creditedBefore.Add((run.Action.Credited!.Msisdn, run.From, run.To));
                yield return Line(request, currency, subscriptionId, planId, feeId, fee, request.Cycle, run);
            }

            foreach (var cycle in window)
            {
                foreach (var run in Runs(cycle, periods, billed))
                {
                    yield return Line(request, currency, subscriptionId, planId, feeId, fee, cycle, run);
                }
            }
        }

        foreach (var line in Replacing(request, currency, keys, creditedBefore))
        {
            yield return line;
        }
    }

    /// <summary>
    /// Days before the window credited above (a plan change or new number backdated past earlier invoices) that the period
    /// now on that number is due for: no invoice billed it for them, as it was not known (a number has one period at a time),
    /// so they are charged now, each in its own cycle, and a backdated change moves those days to the new plan instead of
    /// leaving them unbilled.
    /// </summary>
    private static IEnumerable<InvoiceLine> Replacing(InvoiceRequest request, Currency currency, List<(string SubscriptionId, string PlanId, string FeeId)> keys,
        List<(string Msisdn, LocalDate From, LocalDate To)> credited)
    {
        if (credited.Count == 0)
        {
            yield break;
        }

        var earliest = credited.Min(c => c.From);
        var cycles = new List<BillCycle>();
        for (var cycle = BillCycle.EndingOn(request.Cycle.Start); cycle.End > earliest; cycle = BillCycle.EndingOn(cycle.Start))
        {
            cycles.Insert(0, cycle);
        }

        foreach (var (subscriptionId, planId, feeId) in keys)
        {
            if (Fees(request, planId).FirstOrDefault(f => f.Id == feeId) is not { } fee)
            {
                continue;
            }

            var periods = request.Subscriptions.Where(p => p.SubscriptionId == subscriptionId && p.PlanId == planId).ToList();
            var billed = request.IssuedRecurring.Where(l => l.SubscriptionId == subscriptionId && l.PlanId == planId && l.FeeId == feeId).ToList();
            foreach (var cycle in cycles)
            {
                foreach (var run in Runs(cycle, periods, billed).Where(r => r.Action.ChargedMsisdn is not null))
                {
                    // Days credited under more than one fee of the old plan are one day of the number: charged once.
                    LocalDate? start = null;
                    for (var day = run.From; day <= run.To; day = day.PlusDays(1))
                    {
                        var moved = day < run.To && credited.Any(c => c.Msisdn == run.Action.ChargedMsisdn && day >= c.From && day < c.To);
                        if (moved && start is null)
                        {
                            start = day;
                        }
                        else if (!moved && start is { } from)
                        {
                            yield return Line(request, currency, subscriptionId, planId, feeId, fee, cycle, run with { From = from, To = day });
                            start = null;
                        }
                    }
                }
            }
        }
    }

    private static IReadOnlyList<RecurringFee> Fees(InvoiceRequest request, string planId) =>
        request.FeesByPlan.TryGetValue(planId, out var fees) ? fees : [];

    /// <summary>What happens to one day: charged (under an MSISDN) or credited (against an earlier line).</summary>
    private readonly record struct DayAction(string? ChargedMsisdn, IssuedRecurringLine? Credited);

    private sealed record Run(DayAction Action, LocalDate From, LocalDate To);

    private static List<Run> Runs(BillCycle cycle, List<SubscriptionPeriod> periods, List<IssuedRecurringLine> billed)
    {
        // A day at a time (a cycle has at most 31), without allocating per day: a bill run does this for
        // every subscription and fee, for two cycles.
        var runs = new List<Run>();
        DayAction? open = null;
        var from = cycle.Start;
        for (var day = cycle.Start; day < cycle.End; day = day.PlusDays(1))
        {
            var action = Action(day, periods, billed);
            if (action == open)
            {
                continue;
            }

            if (open is { } closed)
            {
                runs.Add(new Run(closed, from, day));
            }

            (open, from) = (action, day);
        }

        if (open is { } last)
        {
            runs.Add(new Run(last, from, cycle.End));
        }

        return runs;
    }

    /// <summary>Charged under the period's MSISDN when due and not billed, credited against the earlier line when billed and no longer due, else nothing.</summary>
    private static DayAction? Action(LocalDate day, List<SubscriptionPeriod> periods, List<IssuedRecurringLine> billed)
    {
        SubscriptionPeriod? due = null;
        foreach (var p in periods)
        {
            if (p.Covers(day))
            {
                due = p;
                break;
            }
        }

        IssuedRecurringLine? earlier = null;
        var credited = false;
        foreach (var l in billed)
        {
            if (l.Covers(day))
            {
                credited |= l.Amount < 0m;
                earlier = l.Amount < 0m ? earlier : earlier ?? l;
            }
        }

        // A day an earlier credit gave back is billed no more.
        earlier = credited ? null : earlier;

        return (due, earlier) switch
        {
            ({ } period, null) => new DayAction(period.Msisdn, null),
            (null, { } line) => new DayAction(null, line),
            _ => null,
        };
    }

    private static InvoiceLine Line(InvoiceRequest request, Currency currency, string subscriptionId, string planId, string feeId, RecurringFee? fee, BillCycle cycle, Run run)
    {
        var days = Period.DaysBetween(run.From, run.To);
        var description = fee?.Description ?? feeId;
        var credited = run.Action.Credited;
        var amount = credited is null
            ? fee!.Amount * days / cycle.Days
            : -(credited.Amount * days / credited.Days);
        var note = credited is not null ? "credit" : run.From >= request.Cycle.End ? "in advance" : "in arrears";
        return new InvoiceLine
        {
            Number = 0,
            Kind = InvoiceLineKind.Recurring,
            Description = $"{description}, {PeriodText.Days(run.From, run.To)} ({note})",
            Msisdn = run.Action.ChargedMsisdn ?? credited!.Msisdn,
            SubscriptionId = subscriptionId,
            PlanId = planId,
            Quantity = days,
            PeriodStart = run.From,
            PeriodEnd = run.To,
            TaxCategory = credited?.TaxCategory ?? fee!.TaxCategory,
            Amount = new Money.Money(amount, currency).RoundToMinorUnit(),
            FeeId = feeId,
        };
    }
}
