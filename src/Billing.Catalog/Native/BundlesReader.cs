using Billing.Core.Catalog;
using static Billing.Catalog.Native.NativeCatalogReader;

namespace Billing.Catalog.Native;

/// <summary>bundles.csv: allowances a subscriber can buy for a price, on top of the plan's own.</summary>
internal static class BundlesReader
{
    public static void Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans, HashSet<string> groups)
    {
        var rows = CsvTable.ReadWithHeader(files, BundlesFile, required: false, ["plan", "bundle", "service", "amount", "price"], ["destinations", "name"], problems);
        foreach (var row in rows)
        {
            var priced = CatalogUnits.TryParseDecimal(row["price"], out var price) && price >= 0;
            if (!priced)
            {
                problems.Error(row.File, row.Line, $"price '{row["price"]}' is not a non-negative decimal (e.g. 5.00)");
            }

            if (AllowancesReader.ReadRow(row, "bundle", problems, plans, groups) is var (plan, allowance) && plan is not null && priced)
            {
                // Bought, not granted per cycle: amount 0 in the plan's allowances; purchases add to it.
                plan.Allowances.Add(allowance with { Amount = 0 });
                plan.Bundles.Add(new Bundle(allowance.Id, row["name"].Length == 0 ? allowance.Id : row["name"], allowance, price));
            }
        }
    }
}
