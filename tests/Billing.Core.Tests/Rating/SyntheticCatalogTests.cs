using Billing.Core.Rating;

namespace Billing.Core.Tests.Rating;

public class SyntheticCatalogTests
{
    [Fact]
    public void Create_BuildsTheRequestedNumberOfPrefixes_AndEveryGeneratedEventIsPriced()
    {
        var catalog = SyntheticCatalog.Create(5000);
        var rater = new Rater(catalog);
        var balances = rater.OpeningAllowances(SyntheticCatalog.PlanId);

        var outcomes = SyntheticCatalog.Events(catalog, 20_000).Select(e => rater.Rate(SyntheticCatalog.PlanId, e, balances)).ToList();

        Assert.Equal(5000, catalog.Destinations.Count);
        Assert.All(outcomes, o => Assert.True(o.IsRated, o.FailureDetail));
        Assert.Equal(0, balances[SyntheticCatalog.NationalAllowance]);
    }

    [Fact]
    public void Events_AreTheSameForTheSameSeed_AndDifferForAnother()
    {
        var catalog = SyntheticCatalog.Create(100);

        Assert.Equal(SyntheticCatalog.Events(catalog, 500, seed: 7), SyntheticCatalog.Events(catalog, 500, seed: 7));
        Assert.NotEqual(SyntheticCatalog.Events(catalog, 500, seed: 7), SyntheticCatalog.Events(catalog, 500, seed: 8));
    }

    [Fact]
    public void Run_RatesEveryEventOnce_AndAgreesWithItselfOnTheTotal()
    {
        var first = EngineBenchmark.Run(5_000, prefixCount: 500, subscribers: 10);
        var second = EngineBenchmark.Run(5_000, prefixCount: 500, subscribers: 10);

        Assert.Equal((5_000L, 5_000L, 500), (first.Events, first.Rated, first.PrefixCount));
        Assert.Equal(first.TotalAmount, second.TotalAmount);
        Assert.True(first.TotalAmount > 0m);
    }

    [Fact]
    public void The_matched_prefix_is_the_longest_catalogue_prefix_of_the_number()
    {
        var catalog = SyntheticCatalog.Create(5000);
        var rater = new Rater(catalog);
        var prefixes = catalog.Destinations.Entries.Select(e => e.Prefix).ToHashSet(StringComparer.Ordinal);
        var voice = SyntheticCatalog.Events(catalog, 20_000).Where(e => e.Service == Billing.Core.Usage.ServiceType.Voice).ToList();

        var wrong = voice
            .Select(e => (Expected: Enumerable.Range(1, e.Destination!.Length).Select(n => e.Destination[..n]).LastOrDefault(prefixes.Contains),
                          Actual: rater.Rate(SyntheticCatalog.PlanId, e, null).Charge!.MatchedPrefix))
            .Where(m => m.Expected != m.Actual)
            .ToList();

        Assert.True(voice.Count > 10_000);
        Assert.Empty(wrong);
    }

    [Fact]
    public void Result_derives_the_rate_the_GC_share_and_bytes_per_event_exactly()
    {
        // Two seconds of stopwatch ticks for 3,000,001 events: 1,500,000.5 → 1,500,001 (half away from zero);
        // 0.25 s of pauses in 2 s = 12.5 %; 7,000,000 bytes over 3,000,001 events = 2 whole bytes.
        var result = new EngineBenchmarkResult(2 * System.Diagnostics.Stopwatch.Frequency, 3_000_001, 3_000_001, 0m, 3, 7_000_000, TimeSpan.FromMilliseconds(250));

        Assert.Equal(1_500_001m, result.EventsPerSecond);
        Assert.Equal(12.5m, result.GcPausePercent);
        Assert.Equal(2, result.BytesPerEvent);
    }
}
