using Billing.Catalog.Cgrates;
using Billing.Catalog.Native;

namespace Billing.Catalog;

/// <summary>
/// One way in for every kind of catalogue: a native catalogue or a CGRateS tariff plan, from a
/// folder or from a stored version's files. A stored version keeps its files and options and is
/// read back through the same readers, so it prices exactly as it did when it was loaded.
/// </summary>
public static class CatalogSource
{
    public const string Native = "native";
    public const string Cgrates = "cgrates";

    /// <summary>Stored options of a CGRateS import: the numbering plan its prefixes are written in.</summary>
    public const string CountryCodeOption = "countryCode";
    public const string TrunkPrefixOption = "trunkPrefix";
    public const string InternationalPrefixesOption = "internationalPrefixes";

    /// <summary>The *.csv files of a folder, by name.</summary>
    public static IReadOnlyDictionary<string, string> ReadFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.csv").Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);

    public static CatalogLoadResult LoadFolder(string kind, string folder, string label, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return kind switch
        {
            Native => NativeCatalogReader.Load(folder, label),
            Cgrates => CgratesImporter.Load(folder, CgratesOptions(label, options)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "catalogue kinds: native, cgrates"),
        };
    }

    /// <summary>Reads a stored version back from its files' contents, as it was read when it was loaded.</summary>
    public static CatalogLoadResult LoadFiles(string kind, string label, IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        return kind switch
        {
            Native => NativeCatalogReader.Load(files, label),
            Cgrates => CgratesImporter.Load(files, CgratesOptions(label, options)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "catalogue kinds: native, cgrates"),
        };
    }

    /// <summary>
    /// A CGRateS import's options as stored with its version: currency, timeZone, tenant, category,
    /// and the numbering plan its prefixes are written in (countryCode, trunkPrefix,
    /// internationalPrefixes separated by ';') — absent in versions stored before it existed,
    /// which are read as they were (prefixes as written).
    /// </summary>
    public static CgratesImportOptions CgratesOptions(string label, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = new CgratesImportOptions { Version = label };
        return o with
        {
            Currency = options.GetValueOrDefault("currency", o.Currency),
            TimeZone = options.GetValueOrDefault("timeZone", o.TimeZone),
            DefaultTenant = options.GetValueOrDefault("tenant", o.DefaultTenant),
            DefaultCategory = options.GetValueOrDefault("category", o.DefaultCategory),
            Numbering = options.TryGetValue(CountryCodeOption, out var country)
                ? new PrefixNumbering(
                    country,
                    options.GetValueOrDefault(TrunkPrefixOption, ""),
                    options.GetValueOrDefault(InternationalPrefixesOption, "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                : null,
        };
    }

    /// <summary>
    /// <paramref name="options"/> completed with the numbering plan a CGRateS import reads its
    /// prefixes under: the country code and trunk prefix the options give, else the configured
    /// ones; the configured international prefixes.
    /// </summary>
    public static Dictionary<string, string> WithNumbering(IReadOnlyDictionary<string, string> options, PrefixNumbering configured)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configured);
        return new Dictionary<string, string>(options, StringComparer.Ordinal)
        {
            [CountryCodeOption] = options.GetValueOrDefault(CountryCodeOption) ?? configured.CountryCode,
            [TrunkPrefixOption] = options.GetValueOrDefault(TrunkPrefixOption) ?? configured.TrunkPrefix,
            [InternationalPrefixesOption] = options.GetValueOrDefault(InternationalPrefixesOption) ?? string.Join(';', configured.InternationalPrefixes),
        };
    }
}
