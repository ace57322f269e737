namespace Billing.Catalog.Cgrates;

/// <summary>
/// The numbering plan a tariff plan's prefixes are written in, so that they meet the E.164
/// numbers usage is stored in. CGRateS matches a number as the switch sends it, and plans often
/// carry national prefixes (`0723`); ours are E.164 digits without '+' (`40723`).
/// </summary>
/// <param name="CountryCode">The operator's country calling code, e.g. "40".</param>
/// <param name="TrunkPrefix">The national trunk prefix, e.g. "0"; empty when the plan has none.</param>
/// <param name="InternationalPrefixes">International dialling prefixes, e.g. "00".</param>
public sealed record PrefixNumbering(string CountryCode, string TrunkPrefix, IReadOnlyList<string> InternationalPrefixes)
{
    /// <summary>
    /// A prefix in E.164 digits: `+40723` → `40723` and `0040723` → `40723` (international, the
    /// access prefix dropped); `0723` → `40723` (national: the trunk prefix becomes the country
    /// code); anything else as written (`40723`, or a short code such as `1002`).
    /// </summary>
    public string ToE164(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.StartsWith('+'))
        {
            return prefix[1..];
        }

        foreach (var international in InternationalPrefixes.Where(p => p.Length > 0).OrderByDescending(p => p.Length))
        {
            if (prefix.StartsWith(international, StringComparison.Ordinal))
            {
                return prefix[international.Length..];
            }
        }

        return TrunkPrefix.Length > 0 && prefix.StartsWith(TrunkPrefix, StringComparison.Ordinal)
            ? CountryCode + prefix[TrunkPrefix.Length..]
            : prefix;
    }

    /// <summary>What is wrong with the plan, or null: a country code of 1–3 digits, prefixes of digits.</summary>
    public string? Problem() =>
        CountryCode.Length is 0 or > 3 || !CountryCode.All(char.IsAsciiDigit) ? $"country code '{CountryCode}' must be 1–3 digits"
        : !TrunkPrefix.All(char.IsAsciiDigit) ? $"trunk prefix '{TrunkPrefix}' must be digits (or empty)"
        : InternationalPrefixes.FirstOrDefault(p => p.Length == 0 || !p.All(char.IsAsciiDigit)) is { } bad ? $"international prefix '{bad}' must be digits"
        : null;
}
