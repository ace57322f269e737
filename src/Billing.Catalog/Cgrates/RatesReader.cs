using Billing.Core.Catalog;
using static Billing.Catalog.Cgrates.CgratesImporter;
using static Billing.Catalog.Cgrates.CgratesFields;

namespace Billing.Catalog.Cgrates;

/// <summary>Rates.csv: Id, ConnectFee, Rate, RateUnit, RateIncrement, GroupIntervalStart — a rate's slots, sorted by where they start.</summary>
internal static class RatesReader
{
    public static Dictionary<string, List<Slot>> Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        var slots = new Dictionary<string, List<Slot>>(StringComparer.Ordinal);
        var broken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in CsvTable.ReadPositional(files, RatesFile, required: true, 6, problems))
        {
            var id = row.At(0);
            var ok = id.Length > 0;
            if (!ok)
            {
                problems.Error(row.File, row.Line, "the rate id is empty");
            }

            var connectFee = Decimal(row, 1, "ConnectFee", problems, ref ok, nonNegative: true);
            var price = Decimal(row, 2, "Rate", problems, ref ok, nonNegative: true);
            var unit = Duration(row, 3, "RateUnit", positive: true, problems, ref ok);
            var increment = Duration(row, 4, "RateIncrement", positive: true, problems, ref ok);
            var from = Duration(row, 5, "GroupIntervalStart", positive: false, problems, ref ok);
            if (!ok)
            {
                broken.Add(id);
                continue;
            }

            if (!slots.TryGetValue(id, out var list))
            {
                slots[id] = list = [];
            }

            if (list.Find(s => s.Step.From == from) is { } twin)
            {
                problems.Error(row.File, row.Line, $"rate '{id}' already has a slot at GroupIntervalStart {row.At(5)} (line {twin.Line})");
                continue;
            }

            list.Add(new Slot(connectFee, new RateStep(from, price, unit, increment), row.Line));
        }

        foreach (var (id, list) in slots)
        {
            list.Sort((a, b) => a.Step.From.CompareTo(b.Step.From));
            if (list[0].Step.From != 0)
            {
                problems.Error(RatesFile, list[0].Line, $"rate '{id}' has no slot at GroupIntervalStart 0");
                broken.Add(id);
            }

            for (var i = 0; i + 1 < list.Count; i++)
            {
                if ((list[i + 1].Step.From - list[i].Step.From) % list[i].Step.Increment != 0)
                {
                    problems.Warning(RatesFile, list[i].Line, $"rate '{id}': the slot spans {list[i + 1].Step.From - list[i].Step.From}, not a multiple of its increment {list[i].Step.Increment}; its last increment reaches into the next slot");
                }
            }

            foreach (var late in list.Skip(1).Where(s => s.ConnectFee != 0))
            {
                problems.Warning(RatesFile, late.Line, $"rate '{id}': a ConnectFee on a slot after GroupIntervalStart 0 is never charged");
            }
        }

        foreach (var id in broken)
        {
            slots.Remove(id);
        }

        return slots;
    }
}
