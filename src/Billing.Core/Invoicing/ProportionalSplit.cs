using Billing.Core.Money;

namespace Billing.Core.Invoicing;

/// <summary>
/// Splits an amount over weights in proportion: each part is rounded to the minor unit and the
/// rounding remainder goes on the largest weight (the first of equals), so the parts add up to the
/// amount exactly. Used for a fixed discount over tax categories and a credit note over them.
/// </summary>
internal static class ProportionalSplit
{
    public static decimal[] Split(decimal amount, IReadOnlyList<decimal> weights, Currency currency)
    {
        if (weights.Count == 0 || weights.Any(w => w <= 0m))
        {
            throw new ArgumentException("a split needs one or more weights, all > 0", nameof(weights));
        }

        var sum = weights.Sum();
        var parts = weights.Select(w => Rounding.ToMinorUnit(amount * w / sum, currency)).ToArray();
        var largest = 0;
        for (var i = 1; i < weights.Count; i++)
        {
            if (weights[i] > weights[largest])
            {
                largest = i;
            }
        }

        parts[largest] += amount - parts.Sum();
        return parts;
    }
}
