using Billing.Core.Catalog;

namespace Billing.Catalog.Native;

/// <summary>
/// Reads the native catalogue: a set of CSV files (a folder, or the files of a stored version),
/// each with a header row (columns by name, any order), `#` comment lines and blank lines allowed.
/// templates/catalog/README.md documents every file, column and unit. One reader per file; every
/// error is reported with its file and line; reading never stops at the first, and
/// cross-references are checked once the files they point to are read.
/// </summary>
public static class NativeCatalogReader
{
    public const string DestinationsFile = "destinations.csv";
    public const string TimingsFile = "timings.csv";
    public const string HolidaysFile = "holidays.csv";
    public const string RatesFile = "rates.csv";
    public const string PlansFile = "plans.csv";
    public const string PricesFile = "prices.csv";
    public const string AllowancesFile = "allowances.csv";
    public const string RecurringFeesFile = "recurring_fees.csv";
    public const string PrepaidFile = "prepaid.csv";
    public const string BundlesFile = "bundles.csv";
    public const string TaxesFile = "taxes.csv";
    public const string DiscountsFile = "discounts.csv";
    public const string DunningFile = "dunning.csv";

    /// <summary>Reads the catalogue in <paramref name="folder"/> (its *.csv files, see <see cref="CatalogSource.ReadFiles"/>).</summary>
    public static CatalogLoadResult Load(string folder, string version)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (!Directory.Exists(folder))
        {
            var problems = new CatalogProblems();
            problems.Error(folder, 0, "the catalogue folder does not exist");
            return problems.Result(() => throw new InvalidOperationException());
        }

        return Load(CatalogSource.ReadFiles(folder), version);
    }

    /// <summary>Reads a catalogue from its files' contents, by file name (destinations.csv → its text).</summary>
    public static CatalogLoadResult Load(IReadOnlyDictionary<string, string> files, string version)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var problems = new CatalogProblems();
        var (destinations, groups) = DestinationsReader.Read(files, problems);
        var timings = TimingsReader.Read(files, problems);
        var holidays = HolidaysReader.Read(files, problems);
        var (rates, rateKinds) = RatesReader.Read(files, problems);
        var plans = PlansReader.Read(files, problems);
        PricesReader.Read(files, problems, plans, groups, timings, rates, rateKinds);
        AllowancesReader.Read(files, problems, plans, groups);
        RecurringFeesReader.Read(files, problems, plans);
        PrepaidReader.Read(files, problems, plans);
        BundlesReader.Read(files, problems, plans, groups);
        var taxes = TaxesReader.Read(files, problems);
        var discounts = DiscountsReader.Read(files, problems, plans);
        var dunning = DunningReader.Read(files, problems);

        return problems.Result(() => new TariffCatalog
        {
            Version = version,
            Destinations = new DestinationTable(destinations),
            Timings = timings,
            Rates = rates,
            Plans = plans.ToDictionary(p => p.Key, p => p.Value.Build(), StringComparer.Ordinal),
            Holidays = holidays,
            Taxes = taxes,
            Discounts = discounts,
            Dunning = dunning,
        });
    }
}
