using Billing.Core.Catalog;
using Billing.Core.Money;

namespace Billing.Core.Invoicing;

/// <summary>
/// Discounts, before tax. A rule's eligible base per tax category is the sum of the lines of the
/// kinds it names (usage, recurring, one-time; never late usage, overdraft or adjustments) — of the
/// subscriptions on its plan for a plan rule, of the whole account for an account rule. Rules apply
/// in order of id, and each takes at most what earlier rules left of the category's discountable
/// lines, so the discounted base never falls below zero. A percentage gives −round(fraction × base)
/// per category; a fixed amount is capped at the total base and split over the categories in
/// proportion to their base, the remainder on the largest. A base ≤ 0 gets no discount; a
/// discount that rounds to zero makes no line. One line per (rule, tax category).
/// </summary>
internal static class DiscountCalculation
{
    public static IEnumerable<InvoiceLine> Lines(InvoiceRequest request, IReadOnlyList<InvoiceLine> lines)
    {
        var currency = request.Account.Currency;
        var discountable = lines.Where(l => Flag(l.Kind) != DiscountedLines.None).ToList();
        var left = discountable.GroupBy(l => l.TaxCategory).ToDictionary(g => g.Key, g => g.Sum(l => l.Amount.Amount), StringComparer.Ordinal);
        foreach (var rule in request.Discounts.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            if (rule.Scope == DiscountScope.Account && rule.ScopeId != request.Account.AccountId)
            {
                continue;
            }

            var bases = discountable
                .Where(l => rule.AppliesTo.HasFlag(Flag(l.Kind)) && (rule.Scope == DiscountScope.Account || l.PlanId == rule.ScopeId))
                .GroupBy(l => l.TaxCategory)
                .Select(g => (Category: g.Key, Base: Math.Min(g.Sum(l => l.Amount.Amount), left[g.Key])))
                .Where(b => b.Base > 0m)
                .OrderBy(b => b.Category, StringComparer.Ordinal)
                .ToList();
            if (bases.Count == 0)
            {
                continue;
            }

            var parts = rule.Kind == DiscountKind.Percentage
                ? bases.Select(b => Rounding.ToMinorUnit(b.Base * rule.Value, currency)).ToArray()
                : ProportionalSplit.Split(Math.Min(Rounding.ToMinorUnit(rule.Value, currency), bases.Sum(b => b.Base)), [.. bases.Select(b => b.Base)], currency);
            for (var i = 0; i < bases.Count; i++)
            {
                if (parts[i] == 0m)
                {
                    continue;
                }

                left[bases[i].Category] -= parts[i];
                yield return new InvoiceLine
                {
                    Number = 0,
                    Kind = InvoiceLineKind.Discount,
                    Description = rule.Description,
                    PlanId = rule.Scope == DiscountScope.Plan ? rule.ScopeId : null,
                    PeriodStart = request.Cycle.Start,
                    PeriodEnd = request.Cycle.End,
                    TaxCategory = bases[i].Category,
                    Amount = new Money.Money(-parts[i], currency),
                    RuleId = rule.Id,
                };
            }
        }
    }

    private static DiscountedLines Flag(InvoiceLineKind kind) => kind switch
    {
        InvoiceLineKind.Usage => DiscountedLines.Usage,
        InvoiceLineKind.Recurring => DiscountedLines.Recurring,
        InvoiceLineKind.OneTime => DiscountedLines.OneTime,
        _ => DiscountedLines.None,
    };
}
