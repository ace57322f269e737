namespace Billing.Benchmarks;

/// <summary>Figures of several rounds on a noisy machine.</summary>
public static class BenchStats
{
    /// <summary>The middle value (an even count: the mean of the two middle ones, half away from zero, to <paramref name="decimals"/>).</summary>
    public static decimal Median(IEnumerable<decimal> values, int decimals = 0)
    {
        var sorted = values.Order().ToArray();
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Length, nameof(values));
        return sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : Math.Round((sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2, decimals, MidpointRounding.AwayFromZero);
    }
}
