using System.Globalization;
using Billing.Core.Catalog;
using static Billing.Catalog.Cgrates.CgratesImporter;
using static Billing.Catalog.Cgrates.CgratesFields;

namespace Billing.Catalog.Cgrates;

/// <summary>
/// DestinationRates.csv: Id, DestinationId, RatesTag, RoundingMethod, RoundingDecimals, MaxCost,
/// MaxCostStrategy — binds a rate to a destination with that row's rounding and max cost. Each
/// binding is a rate "{Id}/{RatesTag}"; where one Id binds the same RatesTag to several
/// destinations with different options, each of those is "{Id}/{RatesTag}@{DestinationId}".
/// </summary>
internal static class DestinationRatesReader
{
    /// <summary>The destination rates by Id, and the rates they make.</summary>
    public static (Dictionary<string, List<DestinationRate>> DestinationRates, Dictionary<string, Rate> Rates) Read(
        IReadOnlyDictionary<string, string> files, CatalogProblems problems, HashSet<string> destinationIds, Dictionary<string, List<Slot>> slots)
    {
        var bindings = new List<(string Id, string Tag, string Destination, long Line, Rate Rate)>();
        var destinations = new HashSet<(string Id, string Destination)>();
        foreach (var row in CsvTable.ReadPositional(files, DestinationRatesFile, required: true, 3, problems))
        {
            var id = row.At(0);
            var destination = row.At(1);
            var tag = row.At(2);
            var ok = true;
            if (id.Length == 0)
            {
                problems.Error(row.File, row.Line, "the destination rates id is empty");
                ok = false;
            }

            if (destination != Any && !destinationIds.Contains(destination))
            {
                problems.Error(row.File, row.Line, $"destination '{destination}' is not in {DestinationsFile}");
                ok = false;
            }

            if (!slots.TryGetValue(tag, out var rateSlots))
            {
                problems.Error(row.File, row.Line, $"rates tag '{tag}' is not in {RatesFile} (or has errors there)");
                ok = false;
            }

            RoundingMethod? rounding = row.At(3) switch
            {
                "*up" => RoundingMethod.Up,
                "*middle" => RoundingMethod.Middle,
                "" => RoundingMethod.Middle, // at the charge's own 6 decimals (below): no rounding
                "*down" => RoundingMethod.Down,
                _ => null,
            };
            if (rounding is null)
            {
                problems.Error(row.File, row.Line, $"RoundingMethod '{row.At(3)}' must be *up, *middle or *down");
                ok = false;
            }

            var decimals = 0; // CGRateS reads an empty integer column as 0
            if (row.At(4).Length > 0 && (!int.TryParse(row.At(4), NumberStyles.None, CultureInfo.InvariantCulture, out decimals) || decimals > 6))
            {
                problems.Error(row.File, row.Line, $"RoundingDecimals '{row.At(4)}' must be a whole number from 0 to 6");
                ok = false;
            }

            if (row.At(3).Length == 0)
            {
                // utils.Round leaves a cost alone under any other method than the three, so an empty one rounds
                // nothing; RoundingDecimals 0 (an empty column) would otherwise take a 0.35 call to 0.
                decimals = Billing.Core.Money.Rounding.ChargeDecimals;
            }

            var maxCost = 0m;
            if (row.At(5).Length > 0 && (!CatalogUnits.TryParseDecimal(row.At(5), out maxCost) || maxCost < 0))
            {
                problems.Error(row.File, row.Line, $"MaxCost '{row.At(5)}' is not a non-negative decimal");
                ok = false;
            }

            MaxCostStrategy? strategy = row.At(6) switch
            {
                "*free" or "" => MaxCostStrategy.Free,
                "*disconnect" => MaxCostStrategy.Disconnect,
                _ => null,
            };
            if (strategy is null)
            {
                problems.Error(row.File, row.Line, $"MaxCostStrategy '{row.At(6)}' must be *free or *disconnect");
                ok = false;
            }
            else if (maxCost > 0 && row.At(6).Length == 0)
            {
                // CGRateS acts on MaxCost only with a strategy; without one the cap is inert.
                problems.Warning(row.File, row.Line, $"MaxCost {maxCost} without a MaxCostStrategy has no effect in CGRateS; imported without a cap");
                maxCost = 0;
            }

            if (!ok)
            {
                continue;
            }

            if (!destinations.Add((id, destination)))
            {
                problems.Error(row.File, row.Line, $"'{id}' already prices destination '{destination}'");
                continue;
            }

            var rate = new Rate
            {
                Id = $"{id}/{tag}",
                ConnectFee = rateSlots![0].ConnectFee,
                Steps = [.. rateSlots.Select(s => s.Step)],
                MaxCost = maxCost,
                MaxCostStrategy = strategy!.Value,
                Rounding = rounding!.Value,
                RoundingDecimals = decimals,
            };
            bindings.Add((id, tag, destination, row.Line, rate));
        }

        // Rounding and max cost belong to the DestinationRates row, not to the rate: when one Id binds the same
        // RatesTag to several destinations with different options, each binding is a rate of its own.
        var split = bindings.GroupBy(b => (b.Id, b.Tag))
            .Where(g => g.Skip(1).Any(b => !SameRate(b.Rate, g.First().Rate)))
            .Select(g => g.Key)
            .ToHashSet();
        var result = new Dictionary<string, List<DestinationRate>>(StringComparer.Ordinal);
        var rates = new Dictionary<string, Rate>(StringComparer.Ordinal);
        foreach (var (id, tag, destination, line, rate) in bindings)
        {
            var rateId = split.Contains((id, tag)) ? $"{id}/{tag}@{destination}" : rate.Id;
            rates[rateId] = rate with { Id = rateId };
            if (!result.TryGetValue(id, out var list))
            {
                result[id] = list = [];
            }

            list.Add(new DestinationRate(destination, rateId, line));
        }

        return (result, rates);
    }

    private static bool SameRate(Rate a, Rate b) =>
        a.ConnectFee == b.ConnectFee && a.Steps.SequenceEqual(b.Steps) && a.MaxCost == b.MaxCost && a.MaxCostStrategy == b.MaxCostStrategy
        && a.Rounding == b.Rounding && a.RoundingDecimals == b.RoundingDecimals && a.MinimumCharge == b.MinimumCharge;
}
