using Billing.Core.Catalog;
using Billing.Core.Usage;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>allowances.csv: what a plan grants per bill cycle (minutes, SMS, bytes), optionally to some destination groups.</summary>
internal static class AllowancesReader
{
    public static void Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans, HashSet<string> groups)
    {
        var rows = CsvTable.ReadWithHeader(files, AllowancesFile, required: false, ["plan", "allowance", "service", "amount"], ["destinations"], problems);
        foreach (var row in rows)
        {
            if (ReadRow(row, "allowance", problems, plans, groups) is var (plan, allowance) && plan is not null)
            {
                plan.Allowances.Add(allowance);
            }
        }
    }

    /// <summary>An allowance row (allowances.csv, bundles.csv): plan, id, service, amount with its unit, destination groups.</summary>
    public static (PlanDraft? Plan, Allowance Allowance)? ReadRow(CsvRow row, string idColumn, CatalogProblems problems, Dictionary<string, PlanDraft> plans, HashSet<string> groups)
    {
        var ok = true;
        var plan = Lookup(row, "plan", plans, PlansFile, problems, ref ok);
        var id = row[idColumn];
        ok &= CheckId(row, idColumn, id, problems);
        if (!ServiceTypes.TryParse(row["service"], out var service))
        {
            problems.Error(row.File, row.Line, $"service '{row["service"]}' must be voice, sms or data");
            ok = false;
        }

        long amount = 0;
        if (ok && (!CatalogUnits.TryParseQuantity(service, row["amount"], out amount) || amount <= 0))
        {
            problems.Error(row.File, row.Line, $"amount '{row["amount"]}' is not a positive {service.Code()} quantity (e.g. {Example(service)})");
            ok = false;
        }

        HashSet<string>? destinations = null;
        if (row["destinations"].Length > 0)
        {
            destinations = new HashSet<string>(StringComparer.Ordinal);
            foreach (var group in row["destinations"].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!groups.Contains(group))
                {
                    problems.Error(row.File, row.Line, $"destination group '{group}' is not in {DestinationsFile}");
                    ok = false;
                }

                destinations.Add(group);
            }
        }

        if (!ok || plan is null)
        {
            return null;
        }

        if (plan.Allowances.Any(a => a.Id == id))
        {
            problems.Error(row.File, row.Line, $"plan '{plan.Id}' already has an allowance or bundle '{id}'");
            return null;
        }

        return (plan, new Allowance(id, service, amount, destinations));
    }

    private static string Example(ServiceType service) => service switch
    {
        ServiceType.Voice => "300min, 18000s",
        ServiceType.Sms => "100sms",
        _ => "5GB, 500MB",
    };
}
