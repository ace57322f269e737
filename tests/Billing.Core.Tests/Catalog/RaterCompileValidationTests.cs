using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Tests.Rating;

namespace Billing.Core.Tests.Catalog;

/// <summary>A catalogue whose plans name what it does not hold is refused when compiled for rating, naming the plan and the missing piece.</summary>
public sealed class RaterCompileValidationTests
{
    private static string Refused(TariffCatalog catalog) =>
        Assert.Throws<ArgumentException>(() => new Rater(catalog)).Message;

    private static TariffCatalog OneEntry(PriceEntry entry) => ScenarioCatalog.Build([ScenarioCatalog.PerMinute("R", 0.60m)], [entry]);

    [Fact]
    public void A_plan_in_an_unknown_time_zone_is_refused()
    {
        var catalog = OneEntry(new PriceEntry("UK", "*any", 10, "R"));
        var plan = catalog.Plans[ScenarioCatalog.PlanId] with { TimeZone = "Mars/Olympus" };

        Assert.Equal(
            "Plan 'P': unknown time zone 'Mars/Olympus'. (Parameter 'catalog')",
            Refused(catalog with { Plans = new Dictionary<string, Plan> { [ScenarioCatalog.PlanId] = plan } }));
    }

    [Fact]
    public void An_entry_naming_an_unknown_timing_is_refused() =>
        Assert.Equal("Plan 'P': unknown timing 'NIGHT'. (Parameter 'catalog')", Refused(OneEntry(new PriceEntry("UK", "NIGHT", 10, "R"))));

    [Fact]
    public void An_entry_naming_an_unknown_rate_is_refused() =>
        Assert.Equal("Plan 'P': unknown rate 'R_GONE'. (Parameter 'catalog')", Refused(OneEntry(new PriceEntry("UK", "*any", 10, "R_GONE"))));

    [Fact]
    public void No_catalogue_is_a_bug_refused_by_name() =>
        Assert.Equal("catalog", Assert.Throws<ArgumentNullException>(() => new Rater(null!)).ParamName);
}
