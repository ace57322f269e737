using Billing.Core.Catalog;
using static Billing.Catalog.Native.NativeCatalogReader;
using static Billing.Catalog.Native.NativeFields;

namespace Billing.Catalog.Native;

/// <summary>rates.csv: rates as steps, one row a step; the rate-level columns on its first row.</summary>
internal static class RatesReader
{
    /// <summary>The rates without errors, and the kind of quantity each is written in (a rate in bytes cannot price voice).</summary>
    public static (Dictionary<string, Rate> Rates, Dictionary<string, QuantityKind> Kinds) Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems)
    {
        string[] rateColumns = ["connect_fee", "minimum", "max_cost", "max_cost_strategy", "rounding", "decimals"];
        var rows = CsvTable.ReadWithHeader(files, RatesFile, required: true, ["rate", "from", "price", "unit", "increment"], rateColumns, problems);
        var drafts = new Dictionary<string, RateDraft>(StringComparer.Ordinal);
        var kinds = new Dictionary<string, QuantityKind>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var id = row["rate"];
            if (!CheckId(row, "rate", id, problems))
            {
                continue;
            }

            if (!drafts.TryGetValue(id, out var draft))
            {
                draft = new RateDraft(id, row);
                drafts[id] = draft;
                draft.ReadRateColumns(row, problems);
            }
            else
            {
                // Rate-level columns belong on the rate's first row; later rows may repeat them unchanged or leave them empty.
                foreach (var column in rateColumns)
                {
                    if (row[column].Length > 0 && !SameValue(column, row[column], draft.First[column]))
                    {
                        problems.Error(row.File, row.Line, $"{column} '{row[column]}' differs from '{draft.First[column]}' on the rate's first row (line {draft.First.Line}); rate-level columns belong on the first row");
                    }
                }
            }

            draft.AddStep(row, problems);
        }

        var rates = new Dictionary<string, Rate>(StringComparer.Ordinal);
        foreach (var draft in drafts.Values)
        {
            if (draft.Finish(problems) is { } rate)
            {
                rates[draft.Id] = rate;
                kinds[draft.Id] = draft.Kind;
            }
        }

        return (rates, kinds);
    }

    private static bool SameValue(string column, string a, string b) =>
        column is "connect_fee" or "minimum" or "max_cost"
            ? CatalogUnits.TryParseDecimal(a, out var x) && CatalogUnits.TryParseDecimal(b, out var y) && x == y
            : a.Equals(b, StringComparison.OrdinalIgnoreCase);
}
