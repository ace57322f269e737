using Billing.Core.Catalog;
using static Billing.Core.Tests.Rating.ScenarioCatalog;

namespace Billing.Core.Tests.Rating;

/// <summary>Which destination group prices a number: the longest prefix the plan prices, else "*any", for digit and non-digit prefixes alike.</summary>
public sealed class DestinationMatchScenarioTests
{
    private static TariffCatalog ThreeGroups(params (string, string)[] destinations) => Build(
        [PerSecond("R_UK", 0.60m), PerSecond("R_MOBILE", 1.20m), PerSecond("R_ANY", 3.00m)],
        [new PriceEntry("UK", "*any", 10, "R_UK"), new PriceEntry("UK_MOBILE", "*any", 10, "R_MOBILE"), new PriceEntry("*any", "*any", 10, "R_ANY")],
        destinations: destinations);

    [Theory]
    [InlineData("+447700900123", "UK_MOBILE", "+447", 1.20)]
    [InlineData("+441234567890", "UK", "+44", 0.60)]
    [InlineData("+33123456789", "*any", null, 3.00)]
    [InlineData("+4", "*any", null, 3.00)]       // shorter than the longest prefix
    public void Prefixes_written_with_a_plus_match_the_longest_one_too(string number, string group, string? prefix, decimal oneMinute)
    {
        var charge = Rated(ThreeGroups(("+44", "UK"), ("+447", "UK_MOBILE")), MondayMorning, 60, number: number);

        Assert.Equal((group, prefix, oneMinute), (charge.DestinationGroup, charge.MatchedPrefix, charge.Amount));
    }

    [Theory]
    [InlineData("+447700900123", "UK_MOBILE", "+447", 1.20)]
    [InlineData("447700900123", "UK", "44", 0.60)]
    public void A_table_mixing_national_digit_prefixes_with_plus_prefixes_matches_each_in_its_own_form(string number, string group, string prefix, decimal oneMinute)
    {
        var charge = Rated(ThreeGroups(("44", "UK"), ("+447", "UK_MOBILE")), MondayMorning, 60, number: number);

        Assert.Equal((group, prefix, oneMinute), (charge.DestinationGroup, charge.MatchedPrefix, charge.Amount));
    }

    [Fact]
    public void A_number_with_a_letter_after_44_matches_44_and_pays_0_60_a_minute()
    {
        var charge = Rated(ThreeGroups(("44", "UK"), ("447", "UK_MOBILE")), MondayMorning, 60, number: "44x7700900123");

        Assert.Equal(("UK", "44", 0.60m), (charge.DestinationGroup, charge.MatchedPrefix, charge.Amount));
    }

    [Theory]
    [InlineData("44#7700900123")]
    [InlineData("44*7700900123")]
    [InlineData("44+7700900123")]
    [InlineData("44 7700900123")]
    public void A_number_with_a_symbol_below_0_after_44_matches_44_instead_of_overflowing(string number)
    {
        // The trie's digit test wraps below '0' on purpose ('#', '*', '+', ' ' come before '0'): no digit, the match ends there.
        var charge = Rated(ThreeGroups(("44", "UK"), ("447", "UK_MOBILE")), MondayMorning, 60, number: number);

        Assert.Equal(("UK", "44", 0.60m), (charge.DestinationGroup, charge.MatchedPrefix, charge.Amount));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_call_without_a_number_is_priced_by_the_catch_all_at_3_00_a_minute(string? number)
    {
        var charge = Rated(ThreeGroups(("44", "UK"), ("447", "UK_MOBILE")), MondayMorning, 60, number: number);

        Assert.Equal(("*any", (string?)null, 3.00m), (charge.DestinationGroup, charge.MatchedPrefix, charge.Amount));
    }
}
