using Billing.Core.Money;
using NodaTime;

namespace Billing.Core.Rating;

using Money = Billing.Core.Money.Money;

/// <summary>A charge already on an issued invoice: never replaced; a re-rate records the difference against what it is billed at.</summary>
/// <param name="Account">the account its invoice billed: the charge's, whichever account holds the number's period now.</param>
/// <param name="PlanId">the plan it was rated (and invoiced) on, the one in force when the call was made: it is priced again on
/// that plan, not on the one the accounts import may since have put the number's period on.</param>
/// <param name="BilledAmount">the charge plus any earlier re-rating adjustments.</param>
public sealed record InvoicedCharge(UsageToRate Usage, string Account, string PlanId, LocalDate Cycle, long InvoiceId, string Currency, string? AllowanceId, long AllowanceUsed, decimal BilledAmount);

/// <summary>An invoiced charge priced differently now: its difference goes to the next bill run.</summary>
public sealed record RerateAdjustment(InvoicedCharge Charge, decimal NewAmount, int CatalogVersion)
{
    public decimal Delta => NewAmount - Charge.BilledAmount;
}

/// <summary>
/// What a re-rate changes for one account in one currency: what its usage in the re-rated cycles was
/// billed at, and now. (A record repriced in another currency, its plan's having changed, counts in that
/// currency's row now.)
/// </summary>
/// <param name="Records">the account's usage records billed in this currency before.</param>
/// <param name="Adjustments">the differences recorded for invoiced charges in this currency.</param>
public sealed record RerateAccountDelta(string Account, long Records, Money Before, Money After, long Adjustments)
{
    public Money Delta => After - Before;
}

/// <summary>The difference a re-rate makes, computed before anything is changed: the new rating of the cycles, the adjustments of invoiced charges, the deltas per account.</summary>
public sealed record RerateDifference(CycleRating Rating, IReadOnlyList<RerateAdjustment> Adjustments, IReadOnlyList<RerateAccountDelta> Accounts);

/// <summary>
/// Re-pricing a period (pure): every bill cycle with usage in it is rated again as a whole, in
/// event-time order, from the allowance its invoiced charges used; a charge on an issued invoice
/// keeps the allowance it was given and only its price is looked at again.
/// </summary>
public static class RerateCalculator
{
    /// <param name="cycles">the (subscription, cycle) pairs re-rated.</param>
    /// <param name="work">their usage not on an invoice, to be rated again (taken back).</param>
    /// <param name="invoiced">their charges on issued invoices.</param>
    /// <param name="billedBefore">what each usage record of these cycles is billed at now, by usage id: its account and amount.</param>
    /// <param name="inputs">as read: its allowance balances as stored, before the cycles' charges are taken back.</param>
    public static RerateDifference Compute(
        IReadOnlyCollection<(long Sub, LocalDate Cycle)> cycles,
        IReadOnlyCollection<UsageInCycle> work,
        IReadOnlyList<InvoicedCharge> invoiced,
        IReadOnlyDictionary<long, (string Account, Money Amount)> billedBefore,
        RatingInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(invoiced);
        ArgumentNullException.ThrowIfNull(billedBefore);
        ArgumentNullException.ThrowIfNull(inputs);
        var catalogs = inputs.Catalogs;
        var rating = CycleSequencer.Rate(work, inputs with { Used = UsedByInvoicedCharges(cycles, invoiced, inputs.Used) });
        var after = rating.Charges.ToDictionary(c => c.Usage.Id, c => Money.Of(c.Charge.Amount, c.Charge.Currency));
        var adjustments = new List<RerateAdjustment>();
        foreach (var inv in invoiced)
        {
            var version = catalogs.InForce(inv.Usage.Start);
            var covered = inv.AllowanceId is null ? null : new Dictionary<string, long>(StringComparer.Ordinal) { [inv.AllowanceId] = inv.AllowanceUsed };
            var outcome = version?.Rater.Rate(inv.PlanId, inv.Usage.Request, covered);
            // Priced in another currency now (its plan's currency changed): no difference in the invoice's currency, so none is recorded.
            var price = outcome?.Charge is { } charge && string.Equals(charge.Currency, inv.Currency, StringComparison.Ordinal) ? charge.Amount : inv.BilledAmount;
            after[inv.Usage.Id] = Money.Of(price, inv.Currency);
            if (price != inv.BilledAmount)
            {
                adjustments.Add(new RerateAdjustment(inv, price, version!.Id));
            }
        }

        return new RerateDifference(rating, adjustments, ByAccount(billedBefore, after, adjustments));
    }

    private static List<RerateAccountDelta> ByAccount(
        IReadOnlyDictionary<long, (string Account, Money Amount)> billedBefore, Dictionary<long, Money> after, List<RerateAdjustment> adjustments)
    {
        var rows = new Dictionary<(string Account, Currency Currency), (long Records, decimal Before, decimal After, long Adjustments)>();
        void Add((string, Currency) key, long records, decimal before, decimal now, long adjusted)
        {
            var r = rows.GetValueOrDefault(key);
            rows[key] = (r.Records + records, r.Before + before, r.After + now, r.Adjustments + adjusted);
        }

        foreach (var (usageId, (account, before)) in billedBefore)
        {
            Add((account, before.Currency), 1, before.Amount, 0m, 0);
            if (after.TryGetValue(usageId, out var now))
            {
                Add((account, now.Currency), 0, 0m, now.Amount, 0);
            }
        }

        foreach (var a in adjustments)
        {
            Add((a.Charge.Account, Currency.Of(a.Charge.Currency)), 0, 0m, 0m, 1);
        }

        return rows.OrderBy(r => r.Key.Account, StringComparer.Ordinal).ThenBy(r => r.Key.Currency.Code, StringComparer.Ordinal)
            .Select(r => new RerateAccountDelta(r.Key.Account, r.Value.Records, new Money(r.Value.Before, r.Key.Currency), new Money(r.Value.After, r.Key.Currency), r.Value.Adjustments))
            .ToList();
    }

    /// <summary>
    /// The allowance used once the re-rated cycles' charges not on an invoice are taken back: in those
    /// cycles, what their invoiced charges used; elsewhere, as stored.
    /// </summary>
    public static Dictionary<(long Sub, string Allowance, LocalDate Cycle), long> UsedByInvoicedCharges(
        IReadOnlyCollection<(long Sub, LocalDate Cycle)> cycles,
        IEnumerable<InvoicedCharge> invoiced,
        IReadOnlyDictionary<(long Sub, string Allowance, LocalDate Cycle), long> used)
    {
        ArgumentNullException.ThrowIfNull(cycles);
        ArgumentNullException.ThrowIfNull(used);
        var rerated = cycles.ToHashSet();
        var byInvoices = invoiced.Where(i => i.AllowanceId is not null)
            .GroupBy(i => (i.Usage.Subscriber!.SubscriptionId, i.AllowanceId!, i.Cycle))
            .ToDictionary(g => g.Key, g => g.Sum(i => i.AllowanceUsed));
        return used.ToDictionary(u => u.Key, u => rerated.Contains((u.Key.Sub, u.Key.Cycle)) ? byInvoices.GetValueOrDefault(u.Key) : u.Value);
    }
}
