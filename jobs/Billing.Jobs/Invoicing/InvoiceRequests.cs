using System.Globalization;
using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Core.Usage;
using Billing.Storage.Invoicing;
using NodaTime;
using CorePaymentType = Billing.Core.Accounts.PaymentType;

namespace Billing.Jobs.Invoicing;

/// <summary>One account's invoice request, what the request could not take (as draft errors), and what the invoice bills besides its cycle.</summary>
public sealed record AccountRequest(InvoiceRequest Request, IReadOnlyList<InvoiceError> Errors, IssuedInputs Billed, decimal? PreviousTotal, long? OverdraftThrough,
    IReadOnlyList<InvoiceWarning> Warnings);

/// <summary>
/// Turns what the bill run read for a batch into the pure calculator's requests: instants to the
/// account's local days, ids to text, charges to usage summaries with the plan's tax category.
/// What cannot go on an invoice (charges in another currency, a plan the catalogue lacks) becomes an
/// error of the draft, so a person sees it and the draft is not issued.
/// </summary>
public static class InvoiceRequests
{
    /// <summary>An account with no tax region gets this one, which has no rates: its draft says so instead of taxing at nothing.</summary>
    public const string NoTaxRegion = "(none)";

    public static AccountRequest For(
        BilledAccount account, BatchInputs inputs, TariffCatalog? catalog, LocalDate runDate, long unrated, InvoicingOptions options)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        var zone = DateTimeZoneProviders.Tzdb[account.TimeZone];
        var currency = Currency.Of(account.Currency.Trim());
        var cycle = BillCycle.EndingOn(runDate);
        var window = new BillCycle(cycle.Start, cycle.Next.End);
        var errors = new List<InvoiceError>();
        if (catalog is null)
        {
            errors.Add(new InvoiceError(InvoiceErrorCode.NoCatalog, $"no catalogue version is in force at {runDate:uuuu-MM-dd}: load one with `billing catalog load`"));
        }

        LocalDate Day(Instant at) => at.InZone(zone).Date;
        Plan? PlanOf(string id) => catalog is not null && catalog.Plans.TryGetValue(id, out var plan) ? plan : null;
        string TaxOf(string plan, ServiceType service) => PlanOf(plan)?.UsageTaxCategory(service) ?? Plan.StandardTaxCategory;
        bool SameCurrency(string code, string what)
        {
            if (string.Equals(code.Trim(), currency.Code, StringComparison.Ordinal))
            {
                return true;
            }

            errors.Add(new InvoiceError(InvoiceErrorCode.CurrencyMismatch, $"{what} is in {code.Trim()}, the account in {currency.Code}"));
            return false;
        }

        var periods = new List<SubscriptionPeriod>();
        foreach (var s in inputs.Subscriptions[account.Id])
        {
            var from = Day(s.ActiveFrom);
            var to = s.ActiveTo is { } end ? Day(end) : (LocalDate?)null;
            // A period that ended before the window still counts where an earlier invoice billed days past its end (to credit them).
            bool BilledPast(LocalDate end) => inputs.IssuedRecurring[account.Id].Any(l => l.SubscriptionId == Id(s.Id) && l.To > end);
            if ((to is { } t && (t <= from || (t <= window.Start && !BilledPast(t)))) || from >= window.End)
            {
                continue; // no local day of it in the window, nor billed past its end
            }

            if (catalog is not null && PlanOf(s.PlanId) is null)
            {
                errors.Add(new InvoiceError(InvoiceErrorCode.UnknownPlan, $"plan {s.PlanId} of {s.Msisdn} is not in the catalogue in force"));
                continue;
            }

            periods.Add(new SubscriptionPeriod(Id(s.Id), s.Msisdn, s.PlanId, from, to));
        }

        var fees = periods.Select(p => p.PlanId).Distinct(StringComparer.Ordinal)
            .ToDictionary(p => p, p => PlanOf(p)?.RecurringFees ?? [], StringComparer.Ordinal);

        UsageSummary Summary(ChargeSummary c) => new(
            Id(c.SubscriptionId), c.Msisdn, c.PlanId, c.Service, c.DestinationGroup ?? c.Service.Code(), TaxOf(c.PlanId, c.Service),
            c.Quantity, c.AllowanceUsed, c.Count, c.Amount);

        var usage = new List<UsageSummary>();
        var late = new List<LateUsageSummary>();
        var cycles = new SortedSet<LocalDate> { cycle.Start };
        foreach (var c in inputs.Usage[account.Id].Where(c => SameCurrency(c.Currency, $"usage of {c.Msisdn}")))
        {
            if (c.CycleStart == cycle.Start)
            {
                usage.Add(Summary(c));
            }
            else
            {
                // A cycle before this one whose charges no invoice billed (a run not made): billed now, with its own dates.
                late.Add(new LateUsageSummary(Summary(c), new BillCycle(c.CycleStart, c.CycleStart.PlusMonths(1))));
                cycles.Add(c.CycleStart);
            }
        }

        if (inputs.UnbilledCycles.TryGetValue(account.Id, out var unbilled))
        {
            cycles.UnionWith(unbilled);
        }

        // The earlier cycles no invoice closed that have no charges now (a run not made; the account's history before its first
        // invoice) are billed by this invoice too: a charge rated for one of them later is then late usage on the next invoice.
        // Not recorded, it would be in a cycle before the last one invoiced, where no bill run looks for charges again.
        var firstDay = inputs.Subscriptions[account.Id].Select(s => Day(s.ActiveFrom)).DefaultIfEmpty(cycle.Start).Min();
        bool NotClosed(LocalDate start) => inputs.LastInvoicedCycle.TryGetValue(account.Id, out var last) ? start > last : start.PlusMonths(1) > firstDay;
        for (var start = cycle.Start.PlusMonths(-1); NotClosed(start); start = start.PlusMonths(-1))
        {
            cycles.Add(start);
        }

        // Cycles after the account's last invoiced one that no run closed: their usage and advance fees are billed now, their fees in
        // arrears by no invoice — the draft says so.
        var missed = inputs.LastInvoicedCycle.TryGetValue(account.Id, out var lastInvoiced)
            ? cycles.Where(start => start > lastInvoiced && start < cycle.Start).Select(start => new BillCycle(start, start.PlusMonths(1))).ToList()
            : [];
        var missedWarnings = missed.Count == 0 ? [] : MissedArrears.Warnings(
            missed,
            [.. inputs.Subscriptions[account.Id]
                .Where(s => s.ActiveTo is not { } end || Day(end) > Day(s.ActiveFrom))
                .Select(s => new SubscriptionPeriod(Id(s.Id), s.Msisdn, s.PlanId, Day(s.ActiveFrom), s.ActiveTo is { } end ? Day(end) : null))],
            plan => PlanOf(plan)?.RecurringFees ?? [],
            currency).ToList();

        var lateIds = new List<long>();
        foreach (var (c, ids) in inputs.LateUsage[account.Id].Where(l => SameCurrency(l.Summary.Currency, $"late usage of {l.Summary.Msisdn}")))
        {
            late.Add(new LateUsageSummary(Summary(c), new BillCycle(c.CycleStart, c.CycleStart.PlusMonths(1))));
            lateIds.AddRange(ids);
        }

        var oneTime = new List<OneTimeCharge>();
        var adjustments = new List<Adjustment>();
        var chargeIds = new List<long>();
        foreach (var c in inputs.AccountCharges[account.Id].Where(c => SameCurrency(c.Currency, $"charge {c.Id} ({c.Description})")))
        {
            chargeIds.Add(c.Id);
            if (c.Kind == "adjustment")
            {
                adjustments.Add(new Adjustment(Id(c.Id), c.Description, c.Amount, c.TaxCategory, AdjustmentKind.Manual, null, c.ChargeDate));
            }
            else
            {
                oneTime.Add(new OneTimeCharge(Id(c.Id), c.Description, c.Amount, c.TaxCategory, c.Msisdn, c.ChargeDate));
            }
        }

        var rerateIds = new List<long>();
        foreach (var r in inputs.Rerates[account.Id].Where(r => SameCurrency(r.Currency, $"re-rating of invoice {r.OriginalInvoice}")))
        {
            rerateIds.Add(r.Id);
            adjustments.Add(new Adjustment($"rerate-{Id(r.Id)}", "Re-rating", r.Delta, TaxOf(r.PlanId, r.Service), AdjustmentKind.Rerate, r.OriginalInvoice, Day(r.CreatedAt)));
        }

        var overdraft = inputs.Overdraft[account.Id].Where(o => SameCurrency(o.Currency, $"overdraft of {o.Msisdn}")).ToList();
        var balance = inputs.Balances.GetValueOrDefault(account.Id);
        var previous = balance?.PreviousAmountDue ?? 0m;
        var open = balance?.OpenBalance ?? 0m;
        var request = new InvoiceRequest(
            new AccountTerms(account.Id, currency, string.IsNullOrWhiteSpace(account.TaxRegion) ? NoTaxRegion : account.TaxRegion,
                account.PaymentType == "prepaid" ? CorePaymentType.Prepaid : CorePaymentType.Postpaid, options.PaymentTermsDays),
            cycle,
            runDate,
            catalog?.Taxes ?? new TaxTable([]),
            periods,
            fees,
            [.. inputs.IssuedRecurring[account.Id]],
            usage,
            late,
            oneTime,
            adjustments,
            [.. overdraft.Select(o => new OverdraftSummary(o.Msisdn, o.Amount, o.Count, Day(o.First), Day(o.Last), Plan.StandardTaxCategory))],
            catalog?.Discounts ?? [],
            new BalanceInputs(previous, previous - open, balance?.PreviousTotal, inputs.HeldUsage.GetValueOrDefault(account.Id), unrated));
        return new AccountRequest(
            request,
            errors,
            new IssuedInputs([.. cycles], lateIds, chargeIds, rerateIds),
            balance?.PreviousTotal,
            overdraft.Count == 0 ? null : overdraft.Max(o => o.ThroughId),
            missedWarnings);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
