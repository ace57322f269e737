using NodaTime;

namespace Billing.Core.Catalog;

/// <summary>
/// One row of <c>taxes.csv</c>: the rate of a tax category in a tax region, as a decimal fraction
/// (0.20 for 20 %), from <paramref name="EffectiveFrom"/> on (none = always).
/// </summary>
public sealed record TaxRate(string Region, string Category, decimal Rate, string Name, LocalDate? EffectiveFrom = null)
{
    public string Region { get; } = !string.IsNullOrWhiteSpace(Region) ? Region : throw new ArgumentException("a tax rate needs a region", nameof(Region));

    public string Category { get; } = !string.IsNullOrWhiteSpace(Category) ? Category : throw new ArgumentException("a tax rate needs a category", nameof(Category));

    public decimal Rate { get; } = Rate >= 0m ? Rate : throw new ArgumentOutOfRangeException(nameof(Rate), Rate, "a tax rate is a fraction ≥ 0 (0.20 for 20 %)");
}

/// <summary>
/// The tax catalogue: the rate of a (region, category) on a date is the row with the latest
/// effective-from on or before that date; a row without a date applies always (before any dated row).
/// Two rows of one (region, category) with the same effective-from are ambiguous and refused.
/// </summary>
public sealed class TaxTable
{
    private readonly Dictionary<(string Region, string Category), TaxRate[]> byKey;

    public TaxTable(IEnumerable<TaxRate> rows)
    {
        // Stryker disable once Statement : equivalent — without it copying the rows throws the same ArgumentNullException.
        ArgumentNullException.ThrowIfNull(rows);
        Rows = [.. rows];
        byKey = Rows
            .GroupBy(r => (r.Region, r.Category))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.EffectiveFrom ?? LocalDate.MinIsoValue).ToArray());
        var twice = Rows.GroupBy(r => (r.Region, r.Category, r.EffectiveFrom)).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new ArgumentException($"two tax rates for region {twice.Key.Region}, category {twice.Key.Category} from {twice.Key.EffectiveFrom?.ToString("uuuu-MM-dd", null) ?? "always"}", nameof(rows));
        }
    }

    public IReadOnlyList<TaxRate> Rows { get; }

    /// <summary>The rate in force on <paramref name="date"/>, or null when the table has none (an error for the caller to report, never a zero rate).</summary>
    public TaxRate? RateOn(string region, string category, LocalDate date) =>
        byKey.TryGetValue((region, category), out var rates)
            ? rates.FirstOrDefault(r => r.EffectiveFrom is null || r.EffectiveFrom <= date)
            : null;
}
