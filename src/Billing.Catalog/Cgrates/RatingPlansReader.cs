using Billing.Core.Catalog;
using static Billing.Catalog.Cgrates.CgratesImporter;
using static Billing.Catalog.Cgrates.CgratesFields;

namespace Billing.Catalog.Cgrates;

/// <summary>RatingPlans.csv: Id, DestinationRatesId, TimingTag, Weight.</summary>
internal static class RatingPlansReader
{
    public static Dictionary<string, List<PlanRow>> Read(
        IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, List<DestinationRate>> destinationRates, Dictionary<string, Timing> timings)
    {
        var plans = new Dictionary<string, List<PlanRow>>(StringComparer.Ordinal);
        foreach (var row in CsvTable.ReadPositional(files, RatingPlansFile, required: true, 4, problems))
        {
            var id = row.At(0);
            var ok = true;
            if (id.Length == 0)
            {
                problems.Error(row.File, row.Line, "the rating plan id is empty");
                ok = false;
            }

            if (!destinationRates.ContainsKey(row.At(1)))
            {
                problems.Error(row.File, row.Line, $"destination rates '{row.At(1)}' is not in {DestinationRatesFile} (or has errors there)");
                ok = false;
            }

            if (row.At(2) != Any && !timings.ContainsKey(row.At(2)))
            {
                problems.Error(row.File, row.Line, $"timing '{row.At(2)}' is not in {TimingsFile} (or has errors there)");
                ok = false;
            }

            var weight = Decimal(row, 3, "Weight", problems, ref ok);
            if (!ok)
            {
                continue;
            }

            if (!plans.TryGetValue(id, out var list))
            {
                plans[id] = list = [];
            }

            list.Add(new PlanRow(row.At(1), row.At(2), weight, row.Line));
        }

        return plans;
    }
}
