using System.Globalization;
using Billing.Core.Prepaid;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>prepaid.csv: per plan, the balances that notify, what happens at zero, and when credit expires.</summary>
internal static class PrepaidReader
{
    public static void Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans)
    {
        var rows = CsvTable.ReadWithHeader(files, PrepaidFile, required: false, ["plan"], ["thresholds", "at_zero", "credit_limit", "expiry_days"], problems);
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var ok = true;
            var plan = Lookup(row, "plan", plans, PlansFile, problems, ref ok);
            var thresholds = new List<decimal>();
            foreach (var part in row["thresholds"].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (CatalogUnits.TryParseDecimal(part, out var t))
                {
                    thresholds.Add(t);
                }
                else
                {
                    problems.Error(row.File, row.Line, $"threshold '{part}' is not a decimal (thresholds are balances separated by ';', e.g. 5.00;1.00;0)");
                    ok = false;
                }
            }

            var atZero = row["at_zero"].Length == 0 ? "bar" : row["at_zero"].ToLowerInvariant();
            var limit = 0m;
            if (atZero is not ("bar" or "credit"))
            {
                problems.Error(row.File, row.Line, $"at_zero '{row["at_zero"]}' must be bar (barred at zero) or credit (down to credit_limit)");
                ok = false;
            }
            else if (atZero == "credit" && (!CatalogUnits.TryParseDecimal(row["credit_limit"], out limit) || limit <= 0))
            {
                problems.Error(row.File, row.Line, $"credit_limit '{row["credit_limit"]}' must be a positive decimal when at_zero is credit (e.g. 10.00)");
                ok = false;
            }
            else if (atZero == "bar" && row["credit_limit"].Length > 0 && !(CatalogUnits.TryParseDecimal(row["credit_limit"], out var zero) && zero == 0))
            {
                problems.Error(row.File, row.Line, "credit_limit is only for at_zero = credit (a barred-at-zero plan has none)");
                ok = false;
            }

            foreach (var t in thresholds.Where(t => t < -limit))
            {
                problems.Error(row.File, row.Line, $"threshold {t} is below what the balance can reach ({-limit})");
                ok = false;
            }

            int? expiry = null;
            if (row["expiry_days"].Length > 0)
            {
                if (int.TryParse(row["expiry_days"], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is > 0 and <= PrepaidPolicy.MaxExpiryDays)
                {
                    expiry = days;
                }
                else
                {
                    problems.Error(row.File, row.Line,
                        $"expiry_days '{row["expiry_days"]}' must be a positive whole number of days, at most {PrepaidPolicy.MaxExpiryDays} (empty: credit never expires)");
                    ok = false;
                }
            }

            if (!ok || plan is null)
            {
                continue;
            }

            if (seen.TryGetValue(plan.Id, out var first))
            {
                problems.Error(row.File, row.Line, $"plan '{plan.Id}' already has its prepaid settings on line {first}");
                continue;
            }

            seen[plan.Id] = row.Line;
            plan.Prepaid = new PrepaidPolicy([.. thresholds.Distinct().OrderDescending()], limit, expiry);
        }
    }
}
