using Billing.Core.Catalog;
using Billing.Core.Money;
using NodaTime;

namespace Billing.Catalog.Cgrates;

/// <summary>
/// Imports a CGRateS tariff plan folder (Destinations, Timings, Rates, DestinationRates,
/// RatingPlans, RatingProfiles .csv; positional columns, no header, `#` comment lines) into a
/// <see cref="TariffCatalog"/>. Every RatingPlan becomes a plan pricing voice, SMS and data alike;
/// every DestinationRates row a rate "{DestinationRatesId}/{RatesTag}" with that row's rounding and
/// max cost (see <see cref="DestinationRatesReader"/>); every error is reported
/// with its file and line. One reader per file; files or folders alike.
/// </summary>
/// <remarks>Where a timing ends is worked out by <see cref="PlanBuilder"/>, as CGRateS selects intervals.</remarks>
public static class CgratesImporter
{
    public const string DestinationsFile = "Destinations.csv";
    public const string TimingsFile = "Timings.csv";
    public const string RatesFile = "Rates.csv";
    public const string DestinationRatesFile = "DestinationRates.csv";
    public const string RatingPlansFile = "RatingPlans.csv";
    public const string RatingProfilesFile = "RatingProfiles.csv";

    /// <summary>Imports the tariff plan in <paramref name="folder"/> (its *.csv files, see <see cref="CatalogSource.ReadFiles"/>).</summary>
    public static CatalogLoadResult Load(string folder, CgratesImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            var problems = CheckOptions(options);
            problems.Error(folder, 0, "the tariff plan folder does not exist");
            return problems.Result(() => throw new InvalidOperationException());
        }

        return Load(CatalogSource.ReadFiles(folder), options);
    }

    /// <summary>Imports a tariff plan from its files' contents, by file name (Destinations.csv → its text).</summary>
    public static CatalogLoadResult Load(IReadOnlyDictionary<string, string> files, CgratesImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(files);
        var problems = CheckOptions(options);
        var (destinationEntries, destinationIds) = DestinationsReader.Read(files, problems, options.Numbering?.Problem() is null ? options.Numbering : null); // a broken plan is one error, not one a prefix
        var timings = TimingsReader.Read(files, problems);
        var slots = RatesReader.Read(files, problems);
        var (destinationRates, rates) = DestinationRatesReader.Read(files, problems, destinationIds, slots);
        var planRows = RatingPlansReader.Read(files, problems, destinationRates, timings);
        var planIds = planRows.Keys.ToHashSet(StringComparer.Ordinal);
        var profiles = RatingProfilesReader.Read(files, problems, planIds, options);

        if (problems.ErrorCount > 0)
        {
            return problems.Result(() => throw new InvalidOperationException());
        }

        var (catalogTimings, plans) = PlanBuilder.Build(planRows, destinationRates, timings, options, problems);
        return problems.Result(() => new TariffCatalog
        {
            Version = options.Version,
            Destinations = new DestinationTable(destinationEntries),
            Timings = catalogTimings,
            Rates = rates,
            Plans = plans,
            RatingProfiles = profiles,
        });
    }

    private static CatalogProblems CheckOptions(CgratesImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new CatalogProblems();
        try
        {
            _ = Currency.Of(options.Currency);
        }
        catch (ArgumentException)
        {
            problems.Error("options", 0, $"currency '{options.Currency}' is not a known ISO 4217 code");
        }

        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(options.TimeZone) is null)
        {
            problems.Error("options", 0, $"time zone '{options.TimeZone}' is not an IANA time zone");
        }

        if (options.Numbering?.Problem() is { } numbering)
        {
            problems.Error("options", 0, numbering);
        }

        return problems;
    }
}
