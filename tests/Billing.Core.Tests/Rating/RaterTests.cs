using Billing.Core.Catalog;
using Billing.Core.Rating;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Tests.Rating;

public class RaterTests
{
    private const string P = "P";
    private const string Uk = "447700900123";

    // 2026-11-02 is a Monday; London is on GMT, so local time = UTC.
    private static readonly Instant MondayMorning = Instant.FromUtc(2026, 11, 2, 10, 0);

    private static readonly Timing Peak = new()
    {
        Id = "PEAK",
        WeekDays = new HashSet<IsoDayOfWeek> { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday },
        Holidays = HolidayRule.Exclude,
        Start = new LocalTime(8, 0),
        End = new LocalTime(19, 0),
    };

    private static Rate PerSecond(string id, decimal perMinute, decimal connect = 0m) =>
        new() { Id = id, ConnectFee = connect, Steps = [new RateStep(0, perMinute, 60, 1)] };

    private static TariffCatalog Catalog(IEnumerable<Rate> rates, IEnumerable<PriceEntry> voice, IEnumerable<Allowance>? allowances = null, IEnumerable<Timing>? timings = null, IEnumerable<(string, string)>? destinations = null, IEnumerable<LocalDate>? holidays = null, IEnumerable<PriceEntry>? sms = null, IEnumerable<PriceEntry>? data = null) =>
        new()
        {
            Version = "test",
            Destinations = new DestinationTable(destinations ?? [("44", "UK")]),
            Timings = (timings ?? [Peak]).ToDictionary(t => t.Id),
            Rates = rates.ToDictionary(r => r.Id),
            Plans = new Dictionary<string, Plan>
            {
                [P] = new() { Id = P, Currency = "GBP", TimeZone = "Europe/London", Voice = [.. voice], Sms = [.. sms ?? []], Data = [.. data ?? []], Allowances = [.. allowances ?? []] },
            },
            Holidays = new HashSet<LocalDate>(holidays ?? []),
        };

    private static TariffCatalog OneRate(Rate rate) => Catalog([rate], [new PriceEntry("UK", "*any", 10, rate.Id)]);

    /// <summary>PEAK (weight 20) over off-peak "*any" (weight 10), both for group UK.</summary>
    private static TariffCatalog PeakOffPeak(Rate peak, Rate offPeak) =>
        Catalog([peak, offPeak], [new PriceEntry("UK", "PEAK", 20, peak.Id), new PriceEntry("UK", "*any", 10, offPeak.Id)]);

    private static RatedCharge Rated(TariffCatalog catalog, RatingRequest request, Dictionary<string, long>? balances = null)
    {
        var outcome = new Rater(catalog).Rate(P, request, balances);
        Assert.True(outcome.IsRated, $"{outcome.FailureReason}: {outcome.FailureDetail}");
        return outcome.Charge!;
    }

    private static RatingRequest Call(Instant start, long seconds, string number = Uk) => new(ServiceType.Voice, number, start, seconds);

    public static TheoryData<string, long, long, decimal> Increments { get; } = new()
    {
        // 60/60 at 0.60 a minute
        { "60/60", 0, 0, 0m },
        { "60/60", 1, 60, 0.60m },
        { "60/60", 60, 60, 0.60m },
        { "60/60", 61, 120, 1.20m },
        // first 30 s as a block, then per 6 s, 0.60 a minute
        { "30/6", 1, 30, 0.30m },
        { "30/6", 30, 30, 0.30m },
        { "30/6", 31, 36, 0.36m },
        { "30/6", 36, 36, 0.36m },
        { "30/6", 37, 42, 0.42m },
        // per second, 0.60 a minute
        { "1/1", 1, 1, 0.01m },
        { "1/1", 59, 59, 0.59m },
        { "1/1", 60, 60, 0.60m },
        { "1/1", 61, 61, 0.61m },
    };

    [Theory]
    [MemberData(nameof(Increments))]
    public void Rate_BillsWholeIncrements_PerStep(string billing, long seconds, long billed, decimal amount)
    {
        RateStep[] steps = billing switch
        {
            "60/60" => [new RateStep(0, 0.60m, 60, 60)],
            "30/6" => [new RateStep(0, 0.60m, 60, 30), new RateStep(30, 0.60m, 60, 6)],
            "1/1" => [new RateStep(0, 0.60m, 60, 1)],
            _ => throw new ArgumentOutOfRangeException(nameof(billing)),
        };

        var charge = Rated(OneRate(new Rate { Id = "R", Steps = steps }), Call(MondayMorning, seconds));

        Assert.Equal(billed, charge.BilledQuantity);
        Assert.Equal(seconds, charge.Quantity);
        Assert.Equal(amount, charge.Amount);
    }

    [Fact]
    public void Rate_SplitsThirtySixSecondsIntoTheBlockAndTheSixSecondStep()
    {
        var rate = new Rate { Id = "R", Steps = [new RateStep(0, 0.60m, 60, 30), new RateStep(30, 0.60m, 60, 6)] };

        var charge = Rated(OneRate(rate), Call(MondayMorning, 37));

        Assert.Equal(
            [
                new ChargePart(MondayMorning, 0, 30, "*any", "R", 0, 0, 0.30m),
                new ChargePart(MondayMorning + Duration.FromSeconds(30), 30, 12, "*any", "R", 1, 0, 0.12m),
            ],
            charge.Parts);
    }

    [Fact]
    public void Rate_SplitsAtTheBandBoundary_AndChargesTheConnectFeeOnce()
    {
        var catalog = PeakOffPeak(PerSecond("R_PEAK", 0.60m, connect: 0.10m), PerSecond("R_OFF", 0.30m, connect: 0.20m));
        var start = Instant.FromUtc(2026, 11, 2, 18, 59, 30);

        var charge = Rated(catalog, Call(start, 60));

        // 0.10 connect (peak rate, at offset 0) + 30 s × 0.01 + 30 s × 0.005
        Assert.Equal(0.55m, charge.Amount);
        Assert.Equal(0.10m, charge.ConnectFee);
        Assert.Equal(0.55m, charge.RawCost);
        Assert.Equal(
            [
                new ChargePart(start, 0, 30, "PEAK", "R_PEAK", 0, 0, 0.30m),
                new ChargePart(Instant.FromUtc(2026, 11, 2, 19, 0), 30, 30, "*any", "R_OFF", 0, 0, 0.15m),
            ],
            charge.Parts);
    }

    [Theory]
    [InlineData(30, 60, 0.60)]   // the one increment starts in peak: all peak
    [InlineData(60, 60, 0.60)]
    [InlineData(61, 120, 0.90)]  // the second increment starts at 19:00:30, off-peak
    [InlineData(91, 120, 0.90)]
    [InlineData(121, 180, 1.20)]
    public void Rate_PricesEachSixtySecondIncrementByTheBandWhereItStarts(long seconds, long billed, decimal amount)
    {
        var catalog = PeakOffPeak(
            new Rate { Id = "R_PEAK", Steps = [new RateStep(0, 0.60m, 60, 60)] },
            new Rate { Id = "R_OFF", Steps = [new RateStep(0, 0.30m, 60, 60)] });

        var charge = Rated(catalog, Call(Instant.FromUtc(2026, 11, 2, 18, 59, 30), seconds));

        Assert.Equal(billed, charge.BilledQuantity);
        Assert.Equal(amount, charge.Amount);
        Assert.Equal(("PEAK", 0L, 60L), (charge.Parts[0].TimingId, charge.Parts[0].Offset, charge.Parts[0].BilledQuantity));
    }

    [Theory]
    [InlineData(10, 0.25, true)]   // raw 0.10
    [InlineData(24, 0.25, true)]   // raw 0.24
    [InlineData(25, 0.25, false)]  // raw 0.25: not below the minimum
    [InlineData(26, 0.26, false)]
    public void Rate_LiftsACheaperCallToTheMinimumCharge(long seconds, decimal amount, bool minimumApplied)
    {
        var rate = PerSecond("R", 0.60m) with { MinimumCharge = 0.25m };

        var charge = Rated(OneRate(rate), Call(MondayMorning, seconds));

        Assert.Equal(amount, charge.Amount);
        Assert.Equal(minimumApplied, charge.MinimumApplied);
        Assert.Equal(seconds * 0.01m, charge.RawCost);
    }

    [Theory]
    [InlineData(RoundingMethod.Up, 0.0045, 0.005)]
    [InlineData(RoundingMethod.Middle, 0.0045, 0.005)]
    [InlineData(RoundingMethod.Down, 0.0045, 0.004)]
    [InlineData(RoundingMethod.Up, 0.0041, 0.005)]
    [InlineData(RoundingMethod.Middle, 0.0041, 0.004)]
    [InlineData(RoundingMethod.Down, 0.0041, 0.004)]
    [InlineData(RoundingMethod.Up, 0.0049, 0.005)]
    [InlineData(RoundingMethod.Middle, 0.0049, 0.005)]
    [InlineData(RoundingMethod.Down, 0.0049, 0.004)]
    [InlineData(RoundingMethod.Up, 0.004, 0.004)]
    [InlineData(RoundingMethod.Down, 0.004, 0.004)]
    public void Rate_RoundsTheCostByTheRatesMethod(RoundingMethod method, decimal perSecond, decimal amount)
    {
        var rate = new Rate { Id = "R", Steps = [new RateStep(0, perSecond, 1, 1)], Rounding = method, RoundingDecimals = 3 };

        var charge = Rated(OneRate(rate), Call(MondayMorning, 1));

        Assert.Equal(perSecond, charge.RawCost);
        Assert.Equal(amount, charge.Amount);
    }

    [Theory]
    [InlineData(MaxCostStrategy.Free, 99, 0.99, false, false)]
    [InlineData(MaxCostStrategy.Free, 100, 1.00, false, false)]
    [InlineData(MaxCostStrategy.Free, 101, 1.00, true, false)]
    [InlineData(MaxCostStrategy.Free, 3600, 1.00, true, false)]
    [InlineData(MaxCostStrategy.Disconnect, 100, 1.00, false, false)]
    [InlineData(MaxCostStrategy.Disconnect, 101, 1.01, false, true)]
    [InlineData(MaxCostStrategy.Disconnect, 3600, 36.00, false, true)]
    public void Rate_AppliesMaxCostByStrategy(MaxCostStrategy strategy, long seconds, decimal amount, bool capped, bool disconnect)
    {
        var rate = PerSecond("R", 0.60m) with { MaxCost = 1.00m, MaxCostStrategy = strategy };

        var charge = Rated(OneRate(rate), Call(MondayMorning, seconds));

        Assert.Equal((amount, capped, disconnect), (charge.Amount, charge.Capped, charge.DisconnectReached));
    }

    [Fact]
    public void Rate_GivesExactlySeventyPence_WhereCGRatesFloatEngineShowed0_7002()
    {
        // 0.7 per 60 s unit billed per second, rounded up to 4 decimals: exactly 0.7, not 0.7002.
        var rate = new Rate { Id = "R", Steps = [new RateStep(0, 0.7m, 60, 1)], Rounding = RoundingMethod.Up, RoundingDecimals = 4 };

        var charge = Rated(OneRate(rate), Call(MondayMorning, 60));

        Assert.Equal(0.70m, charge.Amount);
    }

    [Fact]
    public void Rate_KeepsASplitCallExact_WhenEachPartsCostDoesNotTerminate()
    {
        // 0.7 a minute per second, split 7 s peak / 53 s off-peak at the same price: 0.7 × 7 / 60 and
        // 0.7 × 53 / 60 do not terminate, but their sum is 0.7 and rounding up must not make it 0.7001.
        var peak = new Rate { Id = "R_PEAK", Steps = [new RateStep(0, 0.7m, 60, 1)], Rounding = RoundingMethod.Up, RoundingDecimals = 4 };
        var off = peak with { Id = "R_OFF" };

        var charge = Rated(PeakOffPeak(peak, off), Call(Instant.FromUtc(2026, 11, 2, 18, 59, 53), 60));

        Assert.Equal(2, charge.Parts.Count);
        Assert.Equal(0.70m, charge.Amount);
    }

    [Fact]
    public void Rate_RoundsUpTheWholeCall_AsCGRatesIssue260Expected()
    {
        // cgrates/cgrates#260: connect fee 0.15, 0.05 a minute per second, 30 s, *up to 2 decimals:
        // 0.15 + 0.025 = 0.175 → 0.18 (the float engine reported 0.174).
        var rate = new Rate { Id = "R", ConnectFee = 0.15m, Steps = [new RateStep(0, 0.05m, 60, 1)], Rounding = RoundingMethod.Up, RoundingDecimals = 2 };

        var charge = Rated(OneRate(rate), Call(MondayMorning, 30));

        Assert.Equal(0.175m, charge.RawCost);
        Assert.Equal(0.18m, charge.Amount);
    }

    private static TariffCatalog LocalBands()
    {
        // DAY 08:00–19:00 and EARLY 01:30–02:30 local, every day, over off-peak "*any".
        var day = new Timing { Id = "DAY", Start = new LocalTime(8, 0), End = new LocalTime(19, 0) };
        var early = new Timing { Id = "EARLY", Start = new LocalTime(1, 30), End = new LocalTime(2, 30) };
        return Catalog(
            [PerSecond("R_DAY", 0.60m), PerSecond("R_EARLY", 0.60m), PerSecond("R_OFF", 0.30m)],
            [new PriceEntry("UK", "DAY", 20, "R_DAY"), new PriceEntry("UK", "EARLY", 20, "R_EARLY"), new PriceEntry("UK", "*any", 10, "R_OFF")],
            timings: [day, early]);
    }

    [Fact]
    public void Rate_ContinuesIntoTheLaterBand_WhenClocksGoForwardPastItsStart()
    {
        // 2026-03-29: 01:00 GMT becomes 02:00 BST; 01:30 local never happens, so EARLY runs 02:00–02:30 BST.
        var start = Instant.FromUtc(2026, 3, 29, 0, 59, 30);

        var charge = Rated(LocalBands(), Call(start, 60));

        Assert.Equal(
            [
                new ChargePart(start, 0, 30, "*any", "R_OFF", 0, 0, 0.15m),
                new ChargePart(Instant.FromUtc(2026, 3, 29, 1, 0), 30, 30, "EARLY", "R_EARLY", 0, 0, 0.30m),
            ],
            charge.Parts);
        Assert.Equal(0.45m, charge.Amount);
    }

    [Theory]
    [InlineData(2026, 3, 29, 7)]   // BST: 08:00 local is 07:00 UTC
    [InlineData(2026, 10, 25, 8)]  // back on GMT: 08:00 local is 08:00 UTC
    [InlineData(2026, 3, 28, 8)]
    public void Rate_SplitsAtTheLocalBandBoundary_OnTheDayOfTheClockChange(int year, int month, int day, int utcHour)
    {
        var boundary = Instant.FromUtc(year, month, day, utcHour, 0);

        var charge = Rated(LocalBands(), Call(boundary - Duration.FromSeconds(30), 60));

        Assert.Equal(
            [
                new ChargePart(boundary - Duration.FromSeconds(30), 0, 30, "*any", "R_OFF", 0, 0, 0.15m),
                new ChargePart(boundary, 30, 30, "DAY", "R_DAY", 0, 0, 0.30m),
            ],
            charge.Parts);
    }

    [Fact]
    public void Rate_PricesTheRepeatedHourAgain_WhenClocksGoBack()
    {
        // 2026-10-25: 02:00 BST becomes 01:00 GMT. EARLY (01:30–02:30 local) holds 00:30–01:00 UTC and
        // again 01:30–02:30 UTC. A one-hour call from 00:59:30 UTC: 30 s EARLY, 1800 s off-peak, 1770 s EARLY.
        var start = Instant.FromUtc(2026, 10, 25, 0, 59, 30);

        var charge = Rated(LocalBands(), Call(start, 3600));

        Assert.Equal(
            [
                new ChargePart(start, 0, 30, "EARLY", "R_EARLY", 0, 0, 0.30m),
                new ChargePart(Instant.FromUtc(2026, 10, 25, 1, 0), 30, 1800, "*any", "R_OFF", 0, 0, 9.00m),
                new ChargePart(Instant.FromUtc(2026, 10, 25, 1, 30), 1830, 1770, "EARLY", "R_EARLY", 0, 0, 17.70m),
            ],
            charge.Parts);
        Assert.Equal(27.00m, charge.Amount);
        Assert.Equal(3600, charge.BilledQuantity);
    }

    [Theory]
    [InlineData(true, 2026, 12, 25, "HOLIDAY")]   // Friday, a holiday: the holiday-only timing
    [InlineData(true, 2026, 12, 24, "PEAK")]      // Thursday, not a holiday
    [InlineData(false, 2026, 12, 25, "*any")]     // PEAK excludes holidays
    [InlineData(false, 2026, 12, 24, "PEAK")]
    public void Rate_HonoursHolidayRules(bool withHolidayTiming, int year, int month, int day, string timing)
    {
        var holiday = new Timing { Id = "HOLIDAY", Holidays = HolidayRule.Only };
        var entries = new List<PriceEntry> { new("UK", "PEAK", 20, "R_PEAK"), new("UK", "*any", 10, "R_OFF") };
        if (withHolidayTiming)
        {
            entries.Add(new PriceEntry("UK", "HOLIDAY", 30, "R_HOL"));
        }

        var catalog = Catalog(
            [PerSecond("R_PEAK", 0.60m), PerSecond("R_OFF", 0.30m), PerSecond("R_HOL", 0.06m)],
            entries,
            timings: [Peak, holiday],
            holidays: [new LocalDate(2026, 12, 25), new LocalDate(2026, 12, 26)]);

        var charge = Rated(catalog, Call(Instant.FromUtc(year, month, day, 10, 0), 60));

        Assert.Equal(timing, Assert.Single(charge.Parts).TimingId);
    }

    private static readonly (string, string)[] OverlappingDestinations =
        [("44", "UK"), ("447", "UK_MOBILE"), ("4470", "ALT"), ("4470", "PERSONAL"), ("33", "FRANCE")];

    [Theory]
    [InlineData("441234567890", "UK", "44", 0.01)]
    [InlineData("447700900123", "UK_MOBILE", "447", 0.02)]
    [InlineData("447012345678", "PERSONAL", "4470", 0.03)]  // ALT comes first for 4470 but the plan does not price it
    [InlineData("33123456789", "*any", null, 0.05)]         // FRANCE is not priced: the catch-all
    [InlineData("4", "*any", null, 0.05)]
    public void Rate_TakesTheLongestPrefixThePlanPrices(string number, string group, string? prefix, decimal amount)
    {
        var catalog = Catalog(
            [PerSecond("R1", 0.60m), PerSecond("R2", 1.20m), PerSecond("R3", 1.80m), PerSecond("R5", 3.00m)],
            [new("UK", "*any", 10, "R1"), new("UK_MOBILE", "*any", 10, "R2"), new("PERSONAL", "*any", 10, "R3"), new("*any", "*any", 10, "R5")],
            destinations: OverlappingDestinations);

        var charge = Rated(catalog, Call(MondayMorning, 1, number));

        Assert.Equal((group, prefix, amount), (charge.DestinationGroup, charge.MatchedPrefix, charge.Amount));
    }

    [Fact]
    public void Rate_TakesTheFirstPricedGroupOfAPrefix_WhenThePlanPricesSeveral()
    {
        var catalog = Catalog(
            [PerSecond("R_ALT", 0.60m), PerSecond("R_PERS", 0.06m)],
            [new("PERSONAL", "*any", 10, "R_PERS"), new("ALT", "*any", 10, "R_ALT")],
            destinations: OverlappingDestinations);

        var charge = Rated(catalog, Call(MondayMorning, 1, "447012345678"));

        Assert.Equal(("ALT", "4470"), (charge.DestinationGroup, charge.MatchedPrefix));
    }

    [Fact]
    public void Rate_FailsWithNoTariff_WhenNoPrefixIsPricedAndThereIsNoCatchAll()
    {
        var catalog = Catalog([PerSecond("R1", 0.60m)], [new("UK", "*any", 10, "R1")], destinations: OverlappingDestinations);

        var outcome = new Rater(catalog).Rate(P, Call(MondayMorning, 60, "33123456789"), null);

        Assert.Equal(HoldReasons.NoTariff, outcome.FailureReason);
        Assert.Contains("33123456789", outcome.FailureDetail, StringComparison.Ordinal);
        Assert.Contains("'P'", outcome.FailureDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(20, 10, "R_A")]            // higher weight wins although dearer
    [InlineData(10, 20, "R_B")]
    [InlineData(10, 10, "R_B")]            // equal weight: the cheaper rate
    public void Rate_PrefersWeightThenTheCheaperRate(int weightA, int weightB, string rate)
    {
        var catalog = Catalog(
            [PerSecond("R_A", 1.20m), PerSecond("R_B", 0.60m)],
            [new("UK", "*any", weightA, "R_A"), new("UK", "*any", weightB, "R_B")]);

        var charge = Rated(catalog, Call(MondayMorning, 60));

        Assert.Equal(rate, Assert.Single(charge.Parts).RateId);
    }

    [Fact]
    public void Rate_BreaksAnEqualPricePerUnitTie_ByTheLowerConnectFee()
    {
        // 0.60 per 60 s and 1.20 per 120 s are the same price per second.
        var a = new Rate { Id = "R_A", ConnectFee = 0.10m, Steps = [new RateStep(0, 0.60m, 60, 1)] };
        var b = new Rate { Id = "R_B", ConnectFee = 0.05m, Steps = [new RateStep(0, 1.20m, 120, 1)] };
        var catalog = Catalog([a, b], [new("UK", "*any", 10, "R_A"), new("UK", "*any", 10, "R_B")]);

        var charge = Rated(catalog, Call(MondayMorning, 60));

        Assert.Equal(("R_B", 0.65m), (Assert.Single(charge.Parts).RateId, charge.Amount));
    }

    private static TariffCatalog WithMinutes(string group = "UK") => Catalog(
        [new Rate { Id = "R", ConnectFee = 0.10m, Steps = [new RateStep(0, 0.60m, 60, 60)] }],
        [new("UK", "*any", 10, "R"), new("*any", "*any", 10, "R")],
        allowances: [new Allowance("MIN", ServiceType.Voice, 600, new HashSet<string> { group })]);

    public static TheoryData<long, long, long, decimal, long> AllowanceCases { get; } = new()
    {
        // balance, seconds → balance after, amount, billed
        { 120, 120, 0, 0m, 120 },         // exactly exhausted: covered entirely, no connect fee
        { 120, 60, 60, 0m, 60 },
        { 120, 1, 60, 0m, 60 },           // a whole increment consumed for one second
        { 120, 121, 0, 0.70m, 180 },      // 0.10 connect + one 60 s increment
        { 90, 150, 0, 1.00m, 180 },       // 60 covered, 30 of the next increment: 0.10 + 0.60 × 90 / 60
        { 1, 1, 0, 0.69m, 60 },           // 0.10 + 0.60 × 59 / 60
        { 0, 60, 0, 0.70m, 60 },          // nothing left: priced in full
    };

    [Theory]
    [MemberData(nameof(AllowanceCases))]
    public void Rate_CoversIncrementsFromTheAllowance_ThenPricesTheRest(long balance, long seconds, long after, decimal amount, long billed)
    {
        var balances = new Dictionary<string, long> { ["MIN"] = balance };

        var charge = Rated(WithMinutes(), Call(MondayMorning, seconds, "441234567890"), balances);

        Assert.Equal((after, amount, billed), (balances["MIN"], charge.Amount, charge.BilledQuantity));
        Assert.Equal(balance - after, charge.AllowanceUsed);
        Assert.Equal(balance == 0 ? null : "MIN", charge.AllowanceId);
        Assert.Equal(charge.AllowanceUsed, charge.Parts.Sum(p => p.AllowanceQuantity));
    }

    [Fact]
    public void Rate_PricesTheUncoveredFractionProRata_WhenTheAllowanceEndsMidIncrement()
    {
        var balances = new Dictionary<string, long> { ["MIN"] = 90 };

        var charge = Rated(WithMinutes(), Call(MondayMorning, 150, "441234567890"), balances);

        Assert.Equal(
            [
                new ChargePart(MondayMorning, 0, 60, "*any", "R", 0, 60, 0m),
                new ChargePart(MondayMorning + Duration.FromSeconds(60), 60, 120, "*any", "R", 0, 30, 0.90m),
            ],
            charge.Parts);
        Assert.Equal((0.10m, 1.00m), (charge.ConnectFee, charge.RawCost));
    }

    [Fact]
    public void Rate_ChargesNoConnectFeeOrMinimum_WhenTheAllowanceCoversTheWholeCall()
    {
        var catalog = Catalog(
            [new Rate { Id = "R", ConnectFee = 0.10m, MinimumCharge = 0.50m, Steps = [new RateStep(0, 0.60m, 60, 60)] }],
            [new("UK", "*any", 10, "R")],
            allowances: [new Allowance("MIN", ServiceType.Voice, 600)]);
        var balances = new Dictionary<string, long> { ["MIN"] = 600 };

        var charge = Rated(catalog, Call(MondayMorning, 61, "441234567890"), balances);

        Assert.Equal((0m, 0m, 0m, false, 480L), (charge.Amount, charge.ConnectFee, charge.RawCost, charge.MinimumApplied, balances["MIN"]));
    }

    [Fact]
    public void Rate_LeavesTheAllowanceAlone_ForADestinationItDoesNotCover()
    {
        var balances = new Dictionary<string, long> { ["MIN"] = 600 };

        var charge = Rated(WithMinutes(), Call(MondayMorning, 60, "33123456789"), balances);

        Assert.Equal((0.70m, 600L, (string?)null), (charge.Amount, balances["MIN"], charge.AllowanceId));
    }

    [Theory]
    [InlineData(1, 0.05)]
    [InlineData(3, 0.15)]
    public void Rate_PricesSmsPerEvent(long count, decimal amount)
    {
        var catalog = Catalog([new Rate { Id = "SMS", Steps = [new RateStep(0, 0.05m, 1, 1)] }], [], sms: [new PriceEntry("*any", "*any", 10, "SMS")]);

        var charge = Rated(catalog, new RatingRequest(ServiceType.Sms, Uk, MondayMorning, count));

        Assert.Equal((amount, count, "*any"), (charge.Amount, charge.BilledQuantity, charge.DestinationGroup));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 1024, 0.01)]
    [InlineData(1024, 1024, 0.01)]
    [InlineData(1025, 2048, 0.02)]
    [InlineData(1_572_864, 1_572_864, 15.36)]
    [InlineData(1_572_865, 1_573_888, 15.37)]
    public void Rate_PricesDataByVolume_InWholeKilobytes(long bytes, long billed, decimal amount)
    {
        var catalog = Catalog([new Rate { Id = "DATA", Steps = [new RateStep(0, 10.24m, 1_048_576, 1024)] }], [], data: [new PriceEntry("*any", "*any", 10, "DATA")]);

        var charge = Rated(catalog, new RatingRequest(ServiceType.Data, null, MondayMorning, bytes));

        Assert.Equal((billed, amount, (string?)null), (charge.BilledQuantity, charge.Amount, charge.DestinationGroup));
    }

    [Fact]
    public void Rate_FailsWithUnknownPlan()
    {
        var outcome = new Rater(OneRate(PerSecond("R", 0.60m))).Rate("NOPE", Call(MondayMorning, 60), null);

        Assert.Equal(HoldReasons.UnknownPlan, outcome.FailureReason);
        Assert.False(outcome.IsRated);
    }

    [Theory]
    [InlineData(2026, 11, 7, 10, 0, 0, 60)]    // Saturday: PEAK does not hold
    [InlineData(2026, 11, 2, 7, 59, 59, 60)]   // one second before peak
    [InlineData(2026, 11, 2, 18, 59, 30, 31)]  // runs out of peak part-way through
    public void Rate_FailsWithNoTiming_WhenNoEntryHolds(int year, int month, int day, int hour, int minute, int second, long seconds)
    {
        var catalog = Catalog([PerSecond("R", 0.60m)], [new("UK", "PEAK", 10, "R")], allowances: [new Allowance("MIN", ServiceType.Voice, 600)]);
        var balances = new Dictionary<string, long> { ["MIN"] = 600 };

        var outcome = new Rater(catalog).Rate(P, Call(Instant.FromUtc(year, month, day, hour, minute, second), seconds), balances);

        Assert.Equal(HoldReasons.NoTiming, outcome.FailureReason);
        Assert.Equal(600, balances["MIN"]);
    }

    [Fact]
    public void Rate_PricesTheWholePeak_WhenTheCallEndsExactlyAtTheBoundary()
    {
        var catalog = Catalog([PerSecond("R", 0.60m)], [new("UK", "PEAK", 10, "R")]);

        var charge = Rated(catalog, Call(Instant.FromUtc(2026, 11, 2, 18, 59, 30), 30));

        Assert.Equal(0.30m, charge.Amount);
    }

    [Fact]
    public void A_1969_evening_call_in_New_York_is_priced_by_the_evening_band_of_its_local_day()
    {
        // 1969-12-31T01:00Z is 20:00 on the 30th in New York: before 1970 with a negative offset (a review finding).
        var evening = new Timing { Id = "EVENING", Start = new LocalTime(19, 0), WeekDays = new HashSet<IsoDayOfWeek> { IsoDayOfWeek.Tuesday } };
        var catalog = new TariffCatalog
        {
            Version = "test",
            Destinations = new DestinationTable([("1", "US")]),
            Timings = new Dictionary<string, Timing> { ["EVENING"] = evening },
            Rates = new Dictionary<string, Rate>
            {
                ["DAY"] = new() { Id = "DAY", Steps = [new RateStep(0, 0.60m, 60, 60)] },
                ["EVE"] = new() { Id = "EVE", Steps = [new RateStep(0, 0.20m, 60, 60)] },
            },
            Plans = new Dictionary<string, Plan>
            {
                ["US"] = new() { Id = "US", Currency = "USD", TimeZone = "America/New_York", Voice = [new PriceEntry("US", "EVENING", 20, "EVE"), new PriceEntry("US", "*any", 10, "DAY")] },
            },
            Holidays = new HashSet<LocalDate>(),
        };

        var outcome = new Rater(catalog).Rate("US", new RatingRequest(ServiceType.Voice, "12125550100", Instant.FromUtc(1969, 12, 31, 1, 0), 60), null);

        Assert.True(outcome.IsRated, $"{outcome.FailureReason}: {outcome.FailureDetail}");
        Assert.Equal(0.20m, outcome.Charge!.Amount);
        Assert.Equal("EVENING", Assert.Single(outcome.Charge.Parts).TimingId);
    }
}
