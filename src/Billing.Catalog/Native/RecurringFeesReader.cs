using Billing.Core.Catalog;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>recurring_fees.csv: fees per bill cycle, in advance (default) or in arrears (charged by the bill run, not by rating).</summary>
internal static class RecurringFeesReader
{
    public static void Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans)
    {
        var rows = CsvTable.ReadWithHeader(files, RecurringFeesFile, required: false, ["plan", "fee", "amount"], ["description", "tax_category", "billing"], problems);
        foreach (var row in rows)
        {
            var ok = true;
            var plan = Lookup(row, "plan", plans, PlansFile, problems, ref ok);
            var id = row["fee"];
            ok &= CheckId(row, "fee", id, problems);
            if (!CatalogUnits.TryParseDecimal(row["amount"], out var amount) || amount < 0)
            {
                problems.Error(row.File, row.Line, $"amount '{row["amount"]}' is not a non-negative decimal (e.g. 15.00)");
                ok = false;
            }

            var billing = FeeBilling.Advance;
            switch (row["billing"].ToLowerInvariant())
            {
                case "" or "advance": break;
                case "arrears": billing = FeeBilling.Arrears; break;
                default:
                    problems.Error(row.File, row.Line, $"billing '{row["billing"]}' is not advance or arrears");
                    ok = false;
                    break;
            }

            if (!ok || plan is null)
            {
                continue;
            }

            if (plan.Fees.Any(f => f.Id == id))
            {
                problems.Error(row.File, row.Line, $"plan '{plan.Id}' already has a fee '{id}'");
                continue;
            }

            var tax = row["tax_category"];
            plan.Fees.Add(new RecurringFee(id, row["description"], amount, tax.Length == 0 ? Plan.StandardTaxCategory : tax, billing));
        }
    }
}
