using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;
using static Billing.Core.Tests.Rating.ScenarioCatalog;

namespace Billing.Core.Tests.Rating;

/// <summary>A stored charge priced again from its compact columns: the same breakdown, or the values that differ.</summary>
public sealed class ChargeExplainerTests
{
    private static readonly Allowance Minutes = new("MIN", ServiceType.Voice, 600);

    /// <summary>Monday 18:59:00 local: one minute before peak ends.</summary>
    private static readonly Instant LastPeakMinute = Instant.FromUtc(2026, 11, 2, 18, 59);

    private static readonly TariffCatalog PeakOverOffPeak = BandOverAnyTime(Peak, PerMinute("R_PEAK", 0.80m), PerMinute("R_OFF", 0.20m, connect: 0.05m), [Minutes]);

    private static RatingRequest Call(Instant start, long seconds) => new(ServiceType.Voice, UkNumber, start, seconds);

    /// <summary>What rated_charges keeps of a charge rated with catalogue version 7.</summary>
    private static StoredRating Stored(RatedCharge c) => new()
    {
        CatalogVersion = 7,
        PlanId = c.PlanId,
        Amount = c.Amount,
        Currency = c.Currency,
        DestinationGroup = c.DestinationGroup,
        MatchedPrefix = c.MatchedPrefix,
        Quantity = c.Quantity,
        BilledQuantity = c.BilledQuantity,
        AllowanceId = c.AllowanceId,
        AllowanceUsed = c.AllowanceUsed,
        AllowanceBefore = c.AllowanceBefore,
        TimeBand = c.TimeBand,
    };

    [Fact]
    public void Rating_records_the_30_allowance_seconds_left_before_a_call_and_the_peak_band_at_its_start()
    {
        var charge = Rated(PeakOverOffPeak, LastPeakMinute, 120, new Dictionary<string, long> { ["MIN"] = 30 });

        Assert.Equal(("MIN", 30L, 30L, "PEAK", 0.60m), (charge.AllowanceId, charge.AllowanceBefore, charge.AllowanceUsed, charge.TimeBand, charge.Amount));
    }

    [Fact]
    public void A_call_with_no_allowance_left_records_no_allowance_a_balance_of_0_and_the_off_peak_band()
    {
        var charge = Rated(PeakOverOffPeak, LastPeakMinute + Duration.FromMinutes(1), 120, new Dictionary<string, long> { ["MIN"] = 0 });

        Assert.Equal(((string?)null, 0L, 0L, "*any", 0.45m), (charge.AllowanceId, charge.AllowanceBefore, charge.AllowanceUsed, charge.TimeBand, charge.Amount));
    }

    [Fact]
    public void A_call_that_used_its_last_30_allowance_seconds_is_explained_again_as_a_0_40_peak_minute_and_a_0_20_off_peak_minute_equal_to_the_stored_0_60()
    {
        var rater = new Rater(PeakOverOffPeak);
        var rated = rater.Rate(PlanId, Call(LastPeakMinute, 120), new Dictionary<string, long> { ["MIN"] = 30 }).Charge!;

        var explained = ChargeExplainer.Explain(rater, Call(LastPeakMinute, 120), Stored(rated));

        Assert.True(explained.Matches, string.Join("; ", explained.Differences));
        var again = explained.Recomputed.Charge!;
        Assert.Equal(
            [
                new ChargePart(LastPeakMinute, 0, 60, "PEAK", "R_PEAK", 0, 30, 0.40m),
                new ChargePart(Instant.FromUtc(2026, 11, 2, 19, 0), 60, 60, "*any", "R_OFF", 0, 0, 0.20m),
            ],
            again.Parts);
        Assert.Equal((0.60m, 0m, 0.60m, 30L, 30L), (again.Amount, again.ConnectFee, again.RawCost, again.AllowanceBefore, again.AllowanceUsed));
    }

    [Fact]
    public void A_call_covered_by_an_allowance_of_600_seconds_is_explained_again_at_0_00_with_its_120_seconds_used()
    {
        var rater = new Rater(PeakOverOffPeak);
        var rated = rater.Rate(PlanId, Call(LastPeakMinute, 120), new Dictionary<string, long> { ["MIN"] = 600 }).Charge!;

        var explained = ChargeExplainer.Explain(rater, Call(LastPeakMinute, 120), Stored(rated));

        Assert.True(explained.Matches, string.Join("; ", explained.Differences));
        Assert.Equal((0m, 600L, 120L), (explained.Recomputed.Charge!.Amount, explained.Recomputed.Charge.AllowanceBefore, explained.Recomputed.Charge.AllowanceUsed));
    }

    [Theory]
    [InlineData(600L, 120L)] // covered entirely: the balance it is given is exactly what it used
    [InlineData(30L, 30L)]   // ran out: used is the whole balance
    public void A_charge_stored_before_its_balance_was_is_given_what_it_used_and_prices_the_same(long balance, long used)
    {
        var rater = new Rater(PeakOverOffPeak);
        var rated = rater.Rate(PlanId, Call(LastPeakMinute, 120), new Dictionary<string, long> { ["MIN"] = balance }).Charge!;
        var stored = Stored(rated) with { AllowanceBefore = null };

        var explained = ChargeExplainer.Explain(rater, Call(LastPeakMinute, 120), stored);

        Assert.Equal(new Dictionary<string, long> { ["MIN"] = used }, ChargeExplainer.OpeningBalance(stored));
        Assert.True(explained.Matches, string.Join("; ", explained.Differences));
        Assert.Equal((rated.Amount, used), (explained.Recomputed.Charge!.Amount, explained.Recomputed.Charge.AllowanceUsed));
    }

    [Fact]
    public void A_charge_that_used_no_allowance_is_priced_again_with_no_balance_at_all()
    {
        var stored = new StoredRating { CatalogVersion = 1, PlanId = PlanId, Amount = 0.45m, Currency = "GBP" };

        Assert.Empty(ChargeExplainer.OpeningBalance(stored));
    }

    [Fact]
    public void A_stored_amount_of_0_61_and_band_of_off_peak_differ_from_the_0_60_peak_charge_computed_again()
    {
        var rater = new Rater(PeakOverOffPeak);
        var rated = rater.Rate(PlanId, Call(LastPeakMinute, 120), new Dictionary<string, long> { ["MIN"] = 30 }).Charge!;

        var explained = ChargeExplainer.Explain(rater, Call(LastPeakMinute, 120), Stored(rated) with { Amount = 0.61m, TimeBand = "*any" });

        Assert.False(explained.Matches);
        Assert.Equal(
            [new ChargeDifference("amount", "0.610000", "0.600000"), new ChargeDifference("time_band", "*any", "PEAK")],
            explained.Differences);
    }

    [Fact]
    public void A_stored_allowance_use_of_31_seconds_differs_from_the_30_the_engine_consumes_from_a_balance_of_30()
    {
        var rater = new Rater(PeakOverOffPeak);
        var rated = rater.Rate(PlanId, Call(LastPeakMinute, 120), new Dictionary<string, long> { ["MIN"] = 30 }).Charge!;

        var explained = ChargeExplainer.Explain(rater, Call(LastPeakMinute, 120), Stored(rated) with { AllowanceUsed = 31 });

        Assert.Equal([new ChargeDifference("allowance_used", "31", "30")], explained.Differences);
    }

    [Fact]
    public void A_0_80_peak_minute_stored_for_60_seconds_at_prefix_441_differs_from_the_1_60_the_engine_gives_a_usage_record_now_61_seconds_long()
    {
        var rater = new Rater(PeakOverOffPeak);
        var rated = rater.Rate(PlanId, Call(MondayMorning, 60), null).Charge!;

        var explained = ChargeExplainer.Explain(rater, Call(MondayMorning, 61), Stored(rated) with { MatchedPrefix = "441" });

        Assert.Equal(
            [
                new ChargeDifference("amount", "0.800000", "1.600000"),
                new ChargeDifference("matched_prefix", "441", "44"),
                new ChargeDifference("quantity", "60", "61"),
                new ChargeDifference("billed_quantity", "60", "120"),
            ],
            explained.Differences);
    }

    [Fact]
    public void A_charge_whose_plan_the_catalogue_version_does_not_have_is_reported_as_no_longer_priced()
    {
        var stored = new StoredRating { CatalogVersion = 1, PlanId = "GONE", Amount = 0.60m, Currency = "GBP", Quantity = 60, BilledQuantity = 60 };

        var explained = ChargeExplainer.Explain(new Rater(PeakOverOffPeak), Call(MondayMorning, 60), stored);

        Assert.False(explained.Recomputed.IsRated);
        var difference = Assert.Single(explained.Differences);
        Assert.Equal(("amount", "0.600000"), (difference.Field, difference.Stored));
        Assert.StartsWith("not priced (unknown-plan", difference.Recomputed, StringComparison.Ordinal);
    }
}
