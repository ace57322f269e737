using Billing.Core.Mediation;
using Billing.Core.Usage;
using Billing.Mediation;
using NodaTime;

namespace Billing.Core.Tests.Mediation;

public class CdrNormaliserTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 2, 8, 15, 0);

    private static readonly SourceOptions Canonical = new() { Name = "canonical", Format = CdrFormat.Canonical };

    private static RawCdr Voice(long seconds = 95) => new()
    {
        RecordKey = "v-1",
        Service = ServiceType.Voice,
        Calling = "02079460100",
        Called = "+447700900123",
        Start = Start,
        End = Start.Plus(Duration.FromSeconds(seconds)),
        BillableSeconds = seconds,
        Answered = seconds > 0,
    };

    private static RawCdr Data(long bytes = 1_048_576) => new()
    {
        RecordKey = "d-1",
        Service = ServiceType.Data,
        Calling = "07700900123",
        Start = Start,
        VolumeBytes = bytes,
        CellId = "234-15-1201-33",
    };

    private static RawCdr Sms() => new()
    {
        RecordKey = "s-1",
        Service = ServiceType.Sms,
        Calling = "07700900123",
        Called = "07700900456",
        Start = Start,
    };

    private static MediationOutcome Normalise(RawCdr cdr, SourceOptions? source = null) =>
        new CdrNormaliser(source ?? Canonical, Written.At).Normalise(cdr);

    private static void AssertSuspended(MediationOutcome outcome, string reason)
    {
        Assert.Equal(OutcomeKind.Suspended, outcome.Kind);
        Assert.Equal(reason, outcome.Reason);
        Assert.Null(outcome.Usage);
        Assert.False(string.IsNullOrEmpty(outcome.Detail));
    }

    private static void AssertFiltered(MediationOutcome outcome, string reason)
    {
        Assert.Equal(OutcomeKind.Filtered, outcome.Kind);
        Assert.Equal(reason, outcome.Reason);
        Assert.Null(outcome.Usage);
    }

    [Theory]
    [InlineData(1999, 12, 31, 23, 59, 59, true)]
    [InlineData(1970, 1, 1, 0, 0, 0, true)]
    [InlineData(2000, 1, 1, 0, 0, 0, false)]
    public void Normalise_SuspendsBadTimestamp_WhenStartIsBefore2000(int y, int mo, int d, int h, int mi, int s, bool suspended)
    {
        var start = Instant.FromUtc(y, mo, d, h, mi, s);
        var outcome = Normalise(Voice() with { Start = start, End = start.Plus(Duration.FromSeconds(95)) });
        if (suspended)
        {
            AssertSuspended(outcome, SuspenseReasons.BadTimestamp);
        }
        else
        {
            Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
            Assert.Equal(start, outcome.Usage!.Start);
        }
    }

    [Fact]
    public void Normalise_SuspendsEndBeforeStart_WhenEndPrecedesStartByOneSecond() =>
        AssertSuspended(Normalise(Voice() with { End = Start.Minus(Duration.FromSeconds(1)) }), SuspenseReasons.EndBeforeStart);

    [Fact]
    public void Normalise_Accepts_WhenEndEqualsStartAndCallIsUnfiltered()
    {
        var outcome = Normalise(Voice(0) with { End = Start }, Canonical with { FilterUnanswered = false });
        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-86_400)]
    public void Normalise_SuspendsNegativeDuration_WhenBillableSecondsBelowZero(long seconds) =>
        AssertSuspended(Normalise(Voice() with { BillableSeconds = seconds, End = null }), SuspenseReasons.NegativeDuration);

    [Theory]
    [InlineData(86_400, OutcomeKind.Accepted)]
    [InlineData(86_401, OutcomeKind.Suspended)]
    public void Normalise_SuspendsAbsurdDuration_WhenAboveMaxDuration(long seconds, OutcomeKind expected)
    {
        var outcome = Normalise(Voice(seconds));
        Assert.Equal(expected, outcome.Kind);
        if (expected == OutcomeKind.Suspended)
        {
            AssertSuspended(outcome, SuspenseReasons.AbsurdDuration);
        }
        else
        {
            Assert.Equal(seconds, outcome.Usage!.DurationSeconds);
        }
    }

    [Fact]
    public void Normalise_UsesSourceLimit_WhenMaxDurationConfigured()
    {
        var source = Canonical with { MaxDurationSeconds = 3_600 };
        Assert.Equal(OutcomeKind.Accepted, Normalise(Voice(3_600), source).Kind);
        AssertSuspended(Normalise(Voice(3_601), source), SuspenseReasons.AbsurdDuration);
    }

    [Theory]
    [InlineData(-1L, OutcomeKind.Suspended)]
    [InlineData(1L, OutcomeKind.Accepted)]
    [InlineData(1_099_511_627_776L, OutcomeKind.Accepted)]
    [InlineData(1_099_511_627_777L, OutcomeKind.Suspended)]
    public void Normalise_SuspendsBadVolume_WhenVolumeOutOfRange(long bytes, OutcomeKind expected)
    {
        var outcome = Normalise(Data(bytes));
        Assert.Equal(expected, outcome.Kind);
        if (expected == OutcomeKind.Suspended)
        {
            AssertSuspended(outcome, SuspenseReasons.BadVolume);
        }
        else
        {
            Assert.Equal(bytes, outcome.Usage!.VolumeBytes);
        }
    }

    [Theory]
    [InlineData("07700ABC123")]
    [InlineData("")]
    [InlineData("12345")]
    public void Normalise_SuspendsBadNumber_WhenCallingNumberInvalid(string calling)
    {
        var outcome = Normalise(Voice() with { Calling = calling });
        AssertSuspended(outcome, SuspenseReasons.BadNumber);
        Assert.StartsWith("calling number: ", outcome.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ServiceType.Voice, "premium!")]
    [InlineData(ServiceType.Sms, null)]
    [InlineData(ServiceType.Sms, "+4420794601234567")]
    public void Normalise_SuspendsBadDestination_WhenCalledNumberInvalid(ServiceType service, string? called)
    {
        var cdr = service == ServiceType.Voice ? Voice() : Sms();
        var outcome = Normalise(cdr with { Called = called });
        AssertSuspended(outcome, SuspenseReasons.BadDestination);
        Assert.StartsWith("called number: ", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalise_SuspendsBadNumberFirst_WhenBothNumbersInvalid() =>
        AssertSuspended(Normalise(Voice() with { Calling = "x", Called = "y" }), SuspenseReasons.BadNumber);

    [Fact]
    public void Normalise_FiltersUnanswered_WhenVoiceNeverConnected() =>
        AssertFiltered(Normalise(Voice(0)), FilterReasons.Unanswered);

    [Fact]
    public void Normalise_FiltersZeroBillable_WhenAnsweredVoiceHasNoBillableSeconds() =>
        AssertFiltered(Normalise(Voice(0) with { Answered = true }), FilterReasons.ZeroBillable);

    [Fact]
    public void Normalise_FiltersUnanswered_WhenUnansweredCallHasBillableSeconds() =>
        AssertFiltered(Normalise(Voice(30) with { Answered = false }), FilterReasons.Unanswered);

    [Fact]
    public void Normalise_FiltersZeroVolume_WhenDataRecordHasNoBytes() =>
        AssertFiltered(Normalise(Data(0)), FilterReasons.ZeroVolume);

    [Fact]
    public void Normalise_FiltersBeforeCheckingNumbers_WhenUnansweredCallHasBadNumber() =>
        AssertFiltered(Normalise(Voice(0) with { Calling = "anonymous" }), FilterReasons.Unanswered);

    [Fact]
    public void Normalise_DoesNotFilterSms_WhenSmsHasNoDurationOrVolume() =>
        Assert.Equal(OutcomeKind.Accepted, Normalise(Sms()).Kind);

    [Fact]
    public void Normalise_FiltersNothing_WhenFilterUnansweredIsOff()
    {
        var source = Canonical with { FilterUnanswered = false };

        var unanswered = Normalise(Voice(0), source);
        var zeroBillable = Normalise(Voice(0) with { Answered = true }, source);
        var zeroVolume = Normalise(Data(0), source);

        Assert.Equal(OutcomeKind.Accepted, unanswered.Kind);
        Assert.Equal(0, unanswered.Usage!.DurationSeconds);
        Assert.Equal(OutcomeKind.Accepted, zeroBillable.Kind);
        Assert.Equal(OutcomeKind.Accepted, zeroVolume.Kind);
        Assert.Equal(0, zeroVolume.Usage!.VolumeBytes);
    }

    [Fact]
    public void Normalise_StillSuspends_WhenFilterUnansweredIsOff() =>
        AssertSuspended(Normalise(Voice(-5) with { End = null }, Canonical with { FilterUnanswered = false }), SuspenseReasons.NegativeDuration);

    [Fact]
    public void Normalise_AcceptsVoiceWithExactFields_WhenValid()
    {
        var outcome = Normalise(Voice(95) with { VolumeBytes = 500, CellId = "cell-9" });

        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
        Assert.Null(outcome.Reason);
        Assert.Equal(
            new UsageRecord("v-1", ServiceType.Voice, "442079460100", "447700900123", Start, 95, 0, "cell-9"),
            outcome.Usage);
    }

    [Fact]
    public void Normalise_AcceptsDataWithoutDestinationOrDuration_WhenValid()
    {
        var outcome = Normalise(Data(1_048_576) with { Called = "02079460123", BillableSeconds = 600 });

        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
        Assert.Equal(
            new UsageRecord("d-1", ServiceType.Data, "447700900123", null, Start, 0, 1_048_576, "234-15-1201-33"),
            outcome.Usage);
    }

    [Fact]
    public void Normalise_AcceptsSmsWithDestinationAndNoQuantities_WhenValid()
    {
        var outcome = Normalise(Sms());

        Assert.Equal(
            new UsageRecord("s-1", ServiceType.Sms, "447700900123", "447700900456", Start, 0, 0, null),
            outcome.Usage);
    }

    [Fact]
    public void Normalise_AppliesSourceNumberingPlan_WhenPbxSource()
    {
        var pbx = DefaultSources.All.Single(s => s.Name == "cucm");
        var outcome = Normalise(Voice() with { Calling = "1001", Called = "907700900123" }, pbx);

        Assert.Equal("44207941001", outcome.Usage!.Msisdn);
        Assert.Equal("447700900123", outcome.Usage.Destination);
    }

    [Theory]
    [InlineData(0, OutcomeKind.Accepted)]   // written at 09:00, default tolerance 300 s: a start at 09:05:00 still counts
    [InlineData(1, OutcomeKind.Suspended)]  // 09:05:01 is from the future
    public void A_call_starting_more_than_300_seconds_after_its_file_was_written_is_suspended_as_future(int secondsPastTolerance, OutcomeKind expected)
    {
        var written = Instant.FromUtc(2026, 11, 2, 9, 0);
        var cdr = Voice() with { Start = written.Plus(Duration.FromSeconds(300 + secondsPastTolerance)) };

        var outcome = new CdrNormaliser(Canonical, written).Normalise(cdr with { End = cdr.Start.Plus(Duration.FromSeconds(95)) });

        Assert.Equal(expected, outcome.Kind);
        if (expected == OutcomeKind.Suspended)
        {
            AssertSuspended(outcome, SuspenseReasons.FutureStart);
        }
    }

    [Fact]
    public void A_source_with_a_clock_skew_of_0_suspends_a_call_starting_one_second_after_the_write()
    {
        var written = Instant.FromUtc(2026, 11, 2, 9, 0);
        var strict = Canonical with { ClockSkewSeconds = 0 };

        Assert.Equal(OutcomeKind.Accepted, new CdrNormaliser(strict, written).Normalise(Sms() with { Start = written }).Kind);
        AssertSuspended(new CdrNormaliser(strict, written).Normalise(Sms() with { Start = written.Plus(Duration.FromSeconds(1)) }), SuspenseReasons.FutureStart);
    }

    [Fact]
    public void The_last_instant_of_the_year_9999_is_a_future_start_even_when_the_file_claims_to_be_written_then()
    {
        var cdr = Voice() with { Start = Instant.MaxValue, End = Instant.MaxValue };

        AssertSuspended(new CdrNormaliser(Canonical, Written.At).Normalise(cdr), SuspenseReasons.FutureStart);
        Assert.Equal(OutcomeKind.Accepted, new CdrNormaliser(Canonical, Instant.MaxValue).Normalise(cdr).Kind);
    }

    private static readonly SourceOptions Pbx = new() { Name = "asterisk", Format = CdrFormat.Asterisk, Numbering = DefaultSources.PbxPlan };

    [Theory]
    [InlineData("999")]
    [InlineData("112")]
    [InlineData("9999")] // the outside-line access code, then 999
    [InlineData("sip:112@pbx.example")]
    public void A_call_from_an_extension_to_an_emergency_number_is_filtered_not_taken_for_an_extension_and_priced(string called) =>
        AssertFiltered(Normalise(Voice() with { Calling = "2001", Called = called }, Pbx), FilterReasons.ServiceNumber);

    [Fact]
    public void An_sms_to_an_emergency_number_is_filtered_and_a_call_to_an_extension_still_expands_into_the_did_range()
    {
        AssertFiltered(Normalise(Sms() with { Called = "999" }), FilterReasons.ServiceNumber);
        var usage = Normalise(Voice() with { Calling = "2001", Called = "2002" }, Pbx).Usage!;
        Assert.Equal(("44207942001", "44207942002"), (usage.Msisdn, usage.Destination));
    }

    [Fact]
    public void Without_service_numbers_in_the_plan_999_from_a_pbx_is_an_extension_as_before()
    {
        var plan = Pbx with { Numbering = DefaultSources.PbxPlan with { ServiceNumbers = [] } };

        Assert.Equal("4420794999", Normalise(Voice() with { Calling = "2001", Called = "999" }, plan).Usage!.Destination);
    }
}
