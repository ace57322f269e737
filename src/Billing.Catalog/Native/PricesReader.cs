using Billing.Core.Catalog;
using Billing.Core.Usage;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>prices.csv: which rate prices a plan's service to a destination group while a timing holds.</summary>
internal static class PricesReader
{
    public static void Read(
        IReadOnlyDictionary<string, string> files, CatalogProblems problems, Dictionary<string, PlanDraft> plans, HashSet<string> groups,
        Dictionary<string, Timing> timings, Dictionary<string, Rate> rates, Dictionary<string, QuantityKind> rateKinds)
    {
        var rows = CsvTable.ReadWithHeader(files, PricesFile, required: true, ["plan", "service", "destination", "timing", "weight", "rate"], [], problems);
        var seen = new Dictionary<(string, ServiceType, string, string), long>();
        foreach (var row in rows)
        {
            var ok = true;
            var plan = Lookup(row, "plan", plans, PlansFile, problems, ref ok);
            if (!ServiceTypes.TryParse(row["service"], out var service))
            {
                problems.Error(row.File, row.Line, $"service '{row["service"]}' must be voice, sms or data");
                ok = false;
            }

            var destination = row["destination"];
            if (destination != Plan.AnyDestination && !groups.Contains(destination))
            {
                problems.Error(row.File, row.Line, $"destination group '{destination}' is not in {DestinationsFile} (use *any for every destination)");
                ok = false;
            }

            var timingId = row["timing"].Length == 0 ? Timing.Always.Id : row["timing"];
            if (!timings.ContainsKey(timingId))
            {
                problems.Error(row.File, row.Line, $"timing '{timingId}' is not in {TimingsFile}");
                ok = false;
            }

            if (!CatalogUnits.TryParseDecimal(row["weight"], out var weight))
            {
                problems.Error(row.File, row.Line, $"weight '{row["weight"]}' is not a number");
                ok = false;
            }

            var rateId = row["rate"];
            if (!rates.ContainsKey(rateId))
            {
                problems.Error(row.File, row.Line, $"rate '{rateId}' is not in {RatesFile} (or has errors there)");
                ok = false;
            }
            else if (ok && rateKinds[rateId] is var kind && kind != QuantityKind.Plain && kind != CatalogUnits.KindOf(service))
            {
                problems.Error(row.File, row.Line, $"rate '{rateId}' is written in {kind.ToString().ToLowerInvariant()} units and cannot price {service.Code()}");
                ok = false;
            }

            if (!ok || plan is null)
            {
                continue;
            }

            if (seen.TryGetValue((plan.Id, service, destination, timingId), out var first))
            {
                problems.Error(row.File, row.Line, $"plan '{plan.Id}' already prices {service.Code()} to '{destination}' in timing '{timingId}' (line {first})");
                continue;
            }

            seen[(plan.Id, service, destination, timingId)] = row.Line;
            plan.Entries(service).Add(new PriceEntry(destination, timingId, weight, rateId));
        }
    }
}
