using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Tests.Rating;

/// <summary>A catalogue version with one plan "P": voice to UK numbers by the second in any band, and a voice allowance "MIN" per cycle.</summary>
internal static class OnePlanCatalog
{
    public const string Plan = "P";

    public static CatalogVersion Version(int id, Instant effective, decimal perMinute = 0.60m, long minutes = 120, string currency = "GBP")
    {
        var catalog = new TariffCatalog
        {
            Version = "v" + id,
            Destinations = new DestinationTable([("44", "UK")]),
            Timings = new Dictionary<string, Timing>(),
            Rates = new Dictionary<string, Rate> { ["R"] = new() { Id = "R", Steps = [new RateStep(0, perMinute, 60, 1)] } },
            Plans = new Dictionary<string, Plan>
            {
                [Plan] = new() { Id = Plan, Currency = currency, TimeZone = "Europe/London", Voice = [new PriceEntry("UK", "*any", 10, "R")], Allowances = [new Allowance("MIN", ServiceType.Voice, minutes)] },
            },
        };
        return new CatalogVersion(id, effective, catalog, new Rater(catalog));
    }
}
