using Billing.Core.Invoicing;
using Billing.Core.Money;

namespace Billing.Core.Tests.Invoicing;

public sealed class ProportionalSplitTests
{
    [Theory]
    [InlineData(22.02, "63.35,10.05", "19.00,3.02")]     // 19.005 → 19.01 and 3.015 → 3.02 make 22.03: the largest gives back the cent
    [InlineData(10.00, "1,1,1", "3.34,3.33,3.33")]       // remainder on the first of equal weights
    [InlineData(0.03, "1,1", "0.01,0.02")]               // 0.015 → 0.02 twice: the first gives back 0.01
    [InlineData(0.01, "1,2", "0.00,0.01")]
    [InlineData(5.00, "2", "5.00")]
    [InlineData(0, "3,4", "0.00,0.00")]
    [InlineData(-10.00, "1,1,1", "-3.34,-3.33,-3.33")]
    [InlineData(1.00, "1,5,2", "0.13,0.62,0.25")]        // the largest weight is in the middle
    public void Parts_are_rounded_shares_with_the_remainder_on_the_largest_weight_and_sum_exactly(decimal amount, string weights, string parts)
    {
        var split = ProportionalSplit.Split(amount, [.. weights.Split(',').Select(w => decimal.Parse(w, System.Globalization.CultureInfo.InvariantCulture))], Currency.Of("EUR"));

        Assert.Equal(parts, string.Join(",", split.Select(p => p.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(amount, split.Sum());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1,0")]
    [InlineData("-1,2")]
    public void A_split_needs_weights_all_above_zero(string weights)
    {
        decimal[] w = weights.Length == 0 ? [] : [.. weights.Split(',').Select(x => decimal.Parse(x, System.Globalization.CultureInfo.InvariantCulture))];

        Assert.StartsWith("a split needs one or more weights, all > 0", Assert.Throws<ArgumentException>(() => ProportionalSplit.Split(1m, w, Currency.Of("EUR"))).Message, StringComparison.Ordinal);
    }
}
