using Billing.Core.Catalog;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>
/// discounts.csv: a discount per plan or per account, applied by the bill run before tax.
/// Columns: <c>discount</c> (id), <c>description</c>, <c>plan</c> or <c>account</c> (exactly one),
/// <c>kind</c> (<c>percentage</c>: a fraction or a percentage of the eligible lines; <c>fixed</c>: an
/// amount in the account's currency), <c>value</c>, <c>applies_to</c> (<c>usage;recurring;one-time</c>,
/// any of them; empty = all three).
/// </summary>
internal static class DiscountsReader
{
    public static IReadOnlyList<DiscountRule> Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans)
    {
        var rows = CsvTable.ReadWithHeader(files, DiscountsFile, required: false, ["discount", "kind", "value"], ["description", "plan", "account", "applies_to"], problems);
        var rules = new List<DiscountRule>();
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var id = row["discount"];
            var ok = CheckId(row, "discount", id, problems);
            if (ok && !ids.TryAdd(id, row.Line))
            {
                problems.Error(row.File, row.Line, $"discount '{id}' is defined twice (first on line {ids[id]})");
                ok = false;
            }

            var (plan, account) = (row["plan"], row["account"]);
            if ((plan.Length == 0) == (account.Length == 0))
            {
                problems.Error(row.File, row.Line, "a discount names exactly one of plan or account");
                ok = false;
            }
            else if (plan.Length > 0 && !plans.ContainsKey(plan))
            {
                problems.Error(row.File, row.Line, $"plan '{plan}' is not in {PlansFile} (or has errors there)");
                ok = false;
            }

            DiscountKind kind = default;
            decimal value = 0m;
            switch (row["kind"].ToLowerInvariant())
            {
                case "percentage":
                    kind = DiscountKind.Percentage;
                    if (!TaxesReader.TryParseRate(row["value"], out value) || value == 0m)
                    {
                        problems.Error(row.File, row.Line, $"value '{row["value"]}' is not a percentage above 0 and at most 100 (10% or 0.10)");
                        ok = false;
                    }

                    break;
                case "fixed":
                    kind = DiscountKind.Fixed;
                    if (!CatalogUnits.TryParseDecimal(row["value"], out value) || value <= 0m)
                    {
                        problems.Error(row.File, row.Line, $"value '{row["value"]}' is not an amount above 0 (5.00)");
                        ok = false;
                    }

                    break;
                default:
                    problems.Error(row.File, row.Line, $"kind '{row["kind"]}' is not percentage or fixed");
                    ok = false;
                    break;
            }

            var appliesTo = DiscountedLines.None;
            foreach (var part in row["applies_to"].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                switch (part.ToLowerInvariant())
                {
                    case "usage": appliesTo |= DiscountedLines.Usage; break;
                    case "recurring": appliesTo |= DiscountedLines.Recurring; break;
                    case "one-time": appliesTo |= DiscountedLines.OneTime; break;
                    default:
                        problems.Error(row.File, row.Line, $"applies_to '{part}' is not usage, recurring or one-time");
                        ok = false;
                        break;
                }
            }

            if (ok)
            {
                rules.Add(new DiscountRule(id, row["description"].Length == 0 ? id : row["description"],
                    plan.Length > 0 ? DiscountScope.Plan : DiscountScope.Account, plan.Length > 0 ? plan : account, kind, value,
                    appliesTo == DiscountedLines.None ? DiscountedLines.Usage | DiscountedLines.Recurring | DiscountedLines.OneTime : appliesTo));
            }
        }

        return rules;
    }
}
