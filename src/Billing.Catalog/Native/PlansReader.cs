using Billing.Core.Money;
using Billing.Core.Usage;
using NodaTime;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>plans.csv: each plan's currency, tariff time zone and the tax categories of its usage.</summary>
internal static class PlansReader
{
    /// <summary>Optional columns: the tax category of the plan's usage per service (empty = standard).</summary>
    private static readonly Dictionary<string, ServiceType> TaxColumns = new(StringComparer.Ordinal)
    {
        ["voice_tax_category"] = ServiceType.Voice,
        ["sms_tax_category"] = ServiceType.Sms,
        ["data_tax_category"] = ServiceType.Data,
    };

    public static Dictionary<string, PlanDraft> Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var rows = CsvTable.ReadWithHeader(files, PlansFile, required: true, ["plan", "currency", "time_zone"], ["name", .. TaxColumns.Keys], problems);
        var plans = new Dictionary<string, PlanDraft>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var id = row["plan"];
            var ok = CheckId(row, "plan", id, problems);
            if (ok && plans.TryGetValue(id, out var first))
            {
                problems.Error(row.File, row.Line, $"plan '{id}' is defined twice (first on line {first.Line})");
                ok = false;
            }

            var currency = row["currency"];
            try
            {
                _ = Currency.Of(currency);
            }
            catch (ArgumentException)
            {
                problems.Error(row.File, row.Line, $"currency '{currency}' is not a known ISO 4217 code");
                ok = false;
            }

            var zone = row["time_zone"];
            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) is null)
            {
                problems.Error(row.File, row.Line, $"time_zone '{zone}' is not an IANA time zone (e.g. Europe/London)");
                ok = false;
            }

            var taxes = new Dictionary<ServiceType, string>();
            foreach (var (column, service) in TaxColumns)
            {
                var category = row[column];
                if (category.Length > 0 && CheckId(row, column, category, problems))
                {
                    taxes[service] = category;
                }
            }

            if (ok)
            {
                var plan = plans[id] = new PlanDraft(id, row["name"], currency, zone, row.Line);
                foreach (var (service, category) in taxes)
                {
                    plan.UsageTaxCategories[service] = category;
                }
            }
        }

        return plans;
    }
}
