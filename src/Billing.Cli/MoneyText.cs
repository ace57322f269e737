using System.Globalization;
using Billing.Core.Money;

namespace Billing.Cli;

/// <summary>Amounts and rates in machine-readable output: decimal strings, never JSON numbers.</summary>
public static class MoneyText
{
    /// <summary>An amount as a decimal string with the currency's minor unit: "36.72", "-5.00", "1200" (JPY).</summary>
    public static string Json(decimal amount, string currency)
    {
        var c = Currency.Of(currency.Trim());
        return Rounding.ToMinorUnit(amount, c).ToString("F" + c.MinorUnit.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>A rate or other exact figure without trailing zeros: 0.200000 → "0.2".</summary>
    public static string Exact(decimal value) => (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}
