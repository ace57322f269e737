using Billing.Core.Mediation;
using Billing.Core.Usage;
using Billing.Mediation;
using NodaTime;
using Xunit;

namespace Billing.Core.Tests.Readers;

public sealed class FreeSwitchReaderTests
{
    private const string ALeg = "3f0c6a52-8d1e-4b7a-9c2e-5a1d7e9b4f10";
    private const string BLeg = "c41e9b07-2f6d-4e38-a1b5-90d3c7e2f864";

    private static readonly SourceOptions FreeSwitch = DefaultSources.All.Single(s => s.Format == CdrFormat.FreeSwitch);

    private static readonly SourceOptions DefaultTemplate = FreeSwitch with { FreeSwitchTemplate = FreeSwitchTemplate.Default };

    // caller_id_name … accountcode (13, default template), read_codec, write_codec (15, example template).
    private static string Row(
        int fields = 15,
        string callerIdNumber = "1001",
        string destination = "907700900123",
        string start = "2026-11-02 09:00:00",
        string answer = "2026-11-02 09:00:07",
        string end = "2026-11-02 09:02:07",
        string duration = "127",
        string billsec = "120",
        string cause = "NORMAL_CLEARING",
        string uuid = ALeg,
        string bleg = BLeg)
    {
        string[] values =
        [
            "Alice Smith", callerIdNumber, destination, "default", start, answer, end, duration, billsec, cause, uuid, bleg, "", "PCMA", "PCMA",
        ];
        return string.Join(',', values.Take(fields).Select(v => "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
    }

    private static string BLegRow(int fields = 15) =>
        Row(fields, destination: "07700900123", answer: "2026-11-02 09:00:07", uuid: BLeg, bleg: "");

    [Fact]
    public void Read_KeysABridgedALeg_ByItsBLegUuid_WithPriorityZero()
    {
        var cdr = ReaderRuns.SingleCdr(FreeSwitch, Row());

        Assert.Equal(BLeg, cdr.RecordKey);
        Assert.Equal(0, cdr.Priority);
        Assert.Equal(ServiceType.Voice, cdr.Service);
        Assert.Equal("1001", cdr.Calling);
        Assert.Equal("907700900123", cdr.Called);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 9, 0, 7), cdr.Start);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 9, 2, 7), cdr.End);
        Assert.Equal(120, cdr.BillableSeconds);
        Assert.True(cdr.Answered);
    }

    [Fact]
    public void Read_KeysABLeg_ByItsOwnUuid_WithPriorityOne()
    {
        var cdr = ReaderRuns.SingleCdr(FreeSwitch, BLegRow());

        Assert.Equal(BLeg, cdr.RecordKey);
        Assert.Equal(1, cdr.Priority);
        Assert.Equal("07700900123", cdr.Called);
    }

    [Fact]
    public void Read_GivesBothLegsOfACallOneKey_SoTheALegWinsWhicheverComesFirst()
    {
        var rows = ReaderRuns.Read(FreeSwitch, BLegRow() + "\n" + Row() + "\n");

        Assert.Equal(
            [(1L, BLeg, 1), (2L, BLeg, 0)],
            rows.Select(r => (r.Row.LineNumber, r.Row.Cdr!.RecordKey, r.Row.Cdr.Priority)).ToArray());
    }

    [Fact]
    public void Read_KeysAnUnbridgedALeg_ByItsOwnUuid_WithPriorityOne()
    {
        var cdr = ReaderRuns.SingleCdr(FreeSwitch, Row(destination: "*98", bleg: ""));

        Assert.Equal(ALeg, cdr.RecordKey);
        Assert.Equal(1, cdr.Priority);
        Assert.True(cdr.Answered);
    }

    [Fact]
    public void Read_MarksACallUnanswered_AndStartsItAtItsStart_WhenTheAnswerStampIsEmpty()
    {
        var line = Row(answer: "", end: "2026-11-02 09:00:30", duration: "30", billsec: "0", cause: "NO_ANSWER", bleg: "");

        var cdr = ReaderRuns.SingleCdr(FreeSwitch, line);

        Assert.False(cdr.Answered);
        Assert.Equal(Instant.FromUtc(2026, 11, 2, 9, 0, 0), cdr.Start);
        Assert.Equal(MediationOutcome.Filter(FilterReasons.Unanswered), new CdrNormaliser(FreeSwitch, Written.At).Normalise(cdr));
    }

    [Theory]
    [InlineData(FreeSwitchTemplate.Default, 13)]
    [InlineData(FreeSwitchTemplate.Example, 15)]
    public void Read_ReadsTheTemplatesRows(FreeSwitchTemplate template, int fields)
    {
        var cdr = ReaderRuns.SingleCdr(FreeSwitch with { FreeSwitchTemplate = template }, Row(fields));

        Assert.Equal((BLeg, 0, 120L), (cdr.RecordKey, cdr.Priority, cdr.BillableSeconds));
    }

    [Theory]
    [InlineData(FreeSwitchTemplate.Default, 15, 13)]
    [InlineData(FreeSwitchTemplate.Default, 12, 13)]
    [InlineData(FreeSwitchTemplate.Example, 13, 15)]
    [InlineData(FreeSwitchTemplate.Example, 14, 15)]
    public void Read_SendsARowToSuspense_WhenItsFieldCountIsNotTheTemplates(FreeSwitchTemplate template, int rowFields, int expected)
    {
        var row = ReaderRuns.Single(FreeSwitch with { FreeSwitchTemplate = template }, Row(rowFields));

        Assert.Equal(SuspenseReasons.MalformedRow, row.ProblemCode);
        Assert.Equal($"expected {expected} fields, found {rowFields}", row.ProblemDetail);
    }

    [Fact]
    public void Read_UnescapesDoubledQuotes_InQuotedFields()
    {
        var line = Row(fields: 13, callerIdNumber: "+44 20 7946 \"0100\"");

        var cdr = ReaderRuns.SingleCdr(DefaultTemplate, line);

        Assert.Equal("+44 20 7946 \"0100\"", cdr.Calling);
    }

    [Theory]
    [InlineData("2026-07-01 12:00:07", "2026-07-01 12:02:07", "2026-07-01T11:00:07Z", "2026-07-01T11:02:07Z")]
    [InlineData("2026-03-29 00:59:00", "2026-03-29 02:01:00", "2026-03-29T00:59:00Z", "2026-03-29T01:01:00Z")]
    [InlineData("2026-10-25 01:59:00", "2026-10-25 01:01:00", "2026-10-25T00:59:00Z", "2026-10-25T01:01:00Z")]
    public void Read_ConvertsLocalStamps_InTheSourceZone(string answer, string end, string expectedStart, string expectedEnd)
    {
        var source = FreeSwitch with { TimeZone = "Europe/London" };

        var cdr = ReaderRuns.SingleCdr(source, Row(start: answer, answer: answer, end: end));

        Assert.Equal((expectedStart, expectedEnd), (cdr.Start.ToString(), cdr.End?.ToString()));
    }

    [Theory]
    [InlineData("2026-11-31 09:00:00", "start_stamp")]
    [InlineData("2026-11-02 09:00", "start_stamp")]
    [InlineData("", "start_stamp")]
    public void Read_SendsARowToSuspense_WhenAStampIsNotALocalDateTime(string stamp, string column)
    {
        var row = ReaderRuns.Single(FreeSwitch, Row(start: stamp));

        Assert.Equal(SuspenseReasons.BadTimestamp, row.ProblemCode);
        Assert.StartsWith($"{column} '", row.ProblemDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SendsARowToSuspense_WhenAPresentAnswerStampIsNotALocalDateTime()
    {
        var row = ReaderRuns.Single(FreeSwitch, Row(answer: "0"));

        Assert.Equal(SuspenseReasons.BadTimestamp, row.ProblemCode);
    }

    [Theory]
    [InlineData("", "127")]
    [InlineData("12O", "127")]
    [InlineData("120", "")]
    public void Read_SendsARowToSuspense_WhenBillsecOrDurationIsNotAnInteger(string billsec, string duration)
    {
        var row = ReaderRuns.Single(FreeSwitch, Row(billsec: billsec, duration: duration));

        Assert.Equal(SuspenseReasons.MalformedRow, row.ProblemCode);
    }

    [Fact]
    public void Read_SendsARowToSuspense_WhenBothUuidsAreEmpty()
    {
        var row = ReaderRuns.Single(FreeSwitch, Row(uuid: "", bleg: ""));

        Assert.Equal(SuspenseReasons.MissingKey, row.ProblemCode);
    }

    [Fact]
    public void Mediation_NormalisesTheALeg_ToE164Usage()
    {
        var cdr = ReaderRuns.SingleCdr(FreeSwitch, Row(destination: "900331234567890"));

        var outcome = new CdrNormaliser(FreeSwitch, Written.At).Normalise(cdr);

        Assert.Equal(
            new UsageRecord(BLeg, ServiceType.Voice, "44207941001", "331234567890", Instant.FromUtc(2026, 11, 2, 9, 0, 7), 120, 0, null),
            outcome.Usage);
    }

    [Theory]
    [InlineData("127", "127", null)]
    [InlineData("127", "128", SuspenseReasons.BillableExceedsDuration)]
    public void Read_SuspendsARow_WhoseBillsecIsMoreThanItsDuration(string duration, string billsec, string? reason) =>
        Assert.Equal(reason, ReaderRuns.Single(FreeSwitch, Row(duration: duration, billsec: billsec)).ProblemCode);

    [Theory]
    [InlineData("2026-11-02 09:00:00", null)]
    [InlineData("2026-11-02 08:59:59", SuspenseReasons.AnswerBeforeStart)]
    public void Read_SuspendsARow_AnsweredBeforeItStarted(string answer, string? reason) =>
        Assert.Equal(reason, ReaderRuns.Single(FreeSwitch, Row(answer: answer)).ProblemCode);
}
