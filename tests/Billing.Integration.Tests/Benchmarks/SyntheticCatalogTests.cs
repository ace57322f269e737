using Billing.Benchmarks;
using Billing.Catalog;
using Billing.Catalog.Native;
using Billing.Core.Rating;

namespace Billing.Integration.Tests.Benchmarks;

/// <summary>The benchmarks' generated catalogue and events (pure: no database).</summary>
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

    [Fact]
    public void The_synthetic_catalogue_is_a_native_catalogue_that_reads_without_errors_or_warnings()
    {
        var result = NativeCatalogReader.Load(SyntheticCatalog.Files(500), "synthetic-500");

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Equal(("synthetic-500", 500), (result.Catalog!.Version, result.Catalog.Destinations.Count));
        Assert.Equal(CatalogPrinter.Summary(result.Catalog), CatalogPrinter.Summary(SyntheticCatalog.Create(500)));
        Assert.Equal(CatalogChecksum.Of(SyntheticCatalog.Files(500)), CatalogChecksum.Of(SyntheticCatalog.Files(500)));
        Assert.NotEqual(CatalogChecksum.Of(SyntheticCatalog.Files(500)), CatalogChecksum.Of(SyntheticCatalog.Files(501)));
    }

    [Theory]
    // Totals of the catalogue built in code before it was written as native files: the same events cost the same.
    [InlineData(20_000, 500, 1_000, "55756.3446")]
    [InlineData(20_000, 5_000, 1_000, "60035.4141")]
    [InlineData(5_000, 500, 10, "13281.3186")]
    public void The_engine_benchmark_prices_the_generated_events_to_the_same_total_as_the_catalogue_built_in_code(int events, int prefixes, int subscribers, string total)
    {
        Assert.Equal(decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture), EngineBenchmark.Run(events, prefixes, subscribers).TotalAmount);
    }

    [Fact]
    public void One_subscribers_20000_events_on_5000_prefixes_cost_61700_0356_GBP()
    {
        var catalog = SyntheticCatalog.Create(5000);
        var rater = new Rater(catalog);
        var balances = rater.OpeningAllowances(SyntheticCatalog.PlanId);

        var total = SyntheticCatalog.Events(catalog, 20_000).Sum(e => rater.Rate(SyntheticCatalog.PlanId, e, balances).Charge!.Amount);

        Assert.Equal(61700.0356m, total);
    }

    [Fact]
    public void The_median_of_four_rounds_is_the_mean_of_the_middle_two_rounded_half_away_from_zero()
    {
        // One second of stopwatch ticks each: the rates are the event counts. (2,000,000 + 2,000,001) / 2 = 2,000,000.5 → 2,000,001.
        static EngineBenchmarkResult OneSecond(long events) => new(System.Diagnostics.Stopwatch.Frequency, events, events, 0m, 3, 0, TimeSpan.Zero);
        var rounds = new EngineRounds([OneSecond(2_000_001), OneSecond(9_000_000), OneSecond(1_000_000), OneSecond(2_000_000)]);

        Assert.Equal((9_000_000m, 2_000_001m), (rounds.Best, rounds.Median));
        Assert.Equal(2_000_000m, new EngineRounds([OneSecond(2_000_000), OneSecond(9_000_000), OneSecond(1_000_000)]).Median);
    }
}
