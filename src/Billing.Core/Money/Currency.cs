namespace Billing.Core.Money;

/// <summary>An ISO 4217 currency and its minor unit (number of decimals on an invoice).</summary>
public sealed record Currency
{
    private static readonly Dictionary<string, int> MinorUnits = new(StringComparer.Ordinal)
    {
        ["EUR"] = 2, ["USD"] = 2, ["GBP"] = 2, ["CHF"] = 2, ["SEK"] = 2, ["NOK"] = 2, ["DKK"] = 2,
        ["PLN"] = 2, ["CZK"] = 2, ["CAD"] = 2, ["AUD"] = 2, ["ZAR"] = 2, ["INR"] = 2, ["BRL"] = 2,
        ["JPY"] = 0, ["KRW"] = 0, ["CLP"] = 0, ["ISK"] = 0,
        ["BHD"] = 3, ["KWD"] = 3, ["OMR"] = 3, ["TND"] = 3, ["JOD"] = 3,
    };

    // One instance per code: rating asks for the currency of every usage record it reads.
    private static readonly Dictionary<string, Currency> Known = MinorUnits.ToDictionary(c => c.Key, c => new Currency(c.Key, c.Value), StringComparer.Ordinal);

    public string Code { get; }
    public int MinorUnit { get; }

    private Currency(string code, int minorUnit)
    {
        Code = code;
        MinorUnit = minorUnit;
    }

    public static Currency Of(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return Known.TryGetValue(code, out var currency)
            ? currency
            : throw new ArgumentException($"Unknown ISO 4217 currency '{code}'.", nameof(code));
    }

    public override string ToString() => Code;
}
