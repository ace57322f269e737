namespace Billing.Core.Money;

/// <summary>
/// The one rounding policy: rated charges keep 6 decimals, invoice lines round once to the
/// currency's minor unit, half away from zero (never banker's rounding).
/// </summary>
public static class Rounding
{
    public const int ChargeDecimals = 6;

    public static decimal ToChargePrecision(decimal amount) =>
        Math.Round(amount, ChargeDecimals, MidpointRounding.AwayFromZero);

    public static decimal ToMinorUnit(decimal amount, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        return Math.Round(amount, currency.MinorUnit, MidpointRounding.AwayFromZero);
    }
}
